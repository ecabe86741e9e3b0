package processor

import (
	"fmt"

	"sigs.k8s.io/kustomize/kyaml/fn/framework"
	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/apirule-krm/apirule-fn/fn/yamlsafe"
)

// CheckItems turns raw item nodes into RNodes, reporting every item a KRM function
// cannot work on: null or non-mapping items, items without apiVersion or kind, and
// Lists or ResourceLists nested as items (kyaml would wrap them again on output).
// Each problem is an error result naming the item's position.
func CheckItems(nodes []*yaml.Node) ([]*yaml.RNode, framework.Results) {
	var results framework.Results
	items := make([]*yaml.RNode, 0, len(nodes))
	for i, n := range nodes {
		if msg := itemProblem(n); msg != "" {
			results = append(results, &framework.Result{Severity: framework.Error,
				Message: fmt.Sprintf("items[%d]: %s", i, msg)})
			continue
		}
		items = append(items, yaml.NewRNode(n))
	}
	return items, results
}

func itemProblem(n *yaml.Node) string {
	switch {
	case n.Kind == yaml.ScalarNode && n.Tag == yaml.NodeTagNull:
		return "null item"
	case n.Kind == yaml.AliasNode:
		return "an item must be a mapping, found an alias"
	case n.Kind != yaml.MappingNode:
		return "an item must be a mapping (a Kubernetes object)"
	}
	rn := yaml.NewRNode(n)
	apiVersion, kind := scalarField(rn, "apiVersion"), scalarField(rn, "kind")
	switch {
	case apiVersion == "":
		return "item without apiVersion"
	case kind == "":
		return "item without kind"
	case kind == "ResourceList" || kind == "List" || kind == "FunctionResultList":
		return fmt.Sprintf("a %s cannot be an item; pass its items instead", yamlsafe.Escape(kind))
	}
	if md := rn.Field("metadata"); md != nil && md.Value.YNode().Kind != yaml.MappingNode && md.Value.YNode().Tag != yaml.NodeTagNull {
		return "metadata must be a mapping"
	}
	return ""
}

func scalarField(rn *yaml.RNode, name string) string {
	f := rn.Field(name)
	if f == nil || f.Value.YNode().Kind != yaml.ScalarNode {
		return ""
	}
	return f.Value.YNode().Value
}
