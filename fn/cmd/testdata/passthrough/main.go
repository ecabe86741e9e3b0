// Command passthrough is the benchmark baseline: kyaml's framework.Execute with a
// processor that does nothing, i.e. the cost of reading and writing a ResourceList
// the standard way. It lives under testdata so that it is never part of the product.
package main

import (
	"os"

	"sigs.k8s.io/kustomize/kyaml/fn/framework"
)

func main() {
	noop := framework.ResourceListProcessorFunc(func(*framework.ResourceList) error { return nil })
	if err := framework.Execute(noop, nil); err != nil {
		os.Exit(1)
	}
}
