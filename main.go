// Command apirule-fn renders Kyma APIRules into Istio and Oathkeeper objects at
// render time. See README.md.
package main

import (
	"os"

	"github.com/apirule-krm/apirule-fn/fn/cmd"
)

func main() {
	os.Exit(cmd.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
