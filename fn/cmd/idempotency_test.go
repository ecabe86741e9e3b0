package cmd

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

const ownerAnnotation = "apirule.krm.dev/generated-from"

// TestDeterministic renders every conformance case twice: the bytes must be equal.
func TestDeterministic(t *testing.T) {
	for _, c := range loadCases(t) {
		t.Run(c.name, func(t *testing.T) {
			in := c.resourceList(t)
			first, _, _ := runFn(in)
			second, _, _ := runFn(in)
			assert.Equal(t, string(first), string(second))
		})
	}
}

// TestIdempotent renders every case, then renders the function's own output again:
// nothing may change.
func TestIdempotent(t *testing.T) {
	for _, c := range loadCases(t) {
		t.Run(c.name, func(t *testing.T) {
			first, _, code1 := runFn(c.resourceList(t))
			second, _, code2 := runFn(first)
			assert.Equal(t, code1, code2)
			assert.Equal(t, string(first), string(second))
		})
	}
}

// TestRemoveAndRename edits the function's own output the way a user edits a
// package that was rendered before: removing an APIRule must remove exactly its
// objects (the result equals a fresh render without it), and renaming one must
// replace its objects.
func TestRemoveAndRename(t *testing.T) {
	if testing.Short() {
		t.Skip("slow: renders every conformance case once per APIRule (-short)")
	}
	for _, c := range loadCases(t) {
		apiRules := apiRuleIndexes(c.resources)
		if len(apiRules) == 0 {
			continue
		}
		t.Run(c.name, func(t *testing.T) {
			victim := apiRules[0]
			rendered, _, _ := runFn(c.resourceList(t))
			victimID := c.resources[victim]
			ns, name := nsName(victimID)

			// Remove: render(output without the APIRule) == render(input without it).
			without := c
			without.resources = append(append([]*yaml.Node{}, c.resources[:victim]...), c.resources[victim+1:]...)
			fresh, _, _ := runFn(without.resourceList(t))
			again, _, _ := runFn(dropItem(t, rendered, ns, name))
			var freshOut, againOut output
			require.NoError(t, yaml.Unmarshal(fresh, &freshOut))
			require.NoError(t, yaml.Unmarshal(again, &againOut))
			assert.Equal(t, freshOut.Items, againOut.Items)
			assert.NotContains(t, string(again), ownerAnnotation+": "+ns+"/"+name+"\n")
			// Each removal of an object whose APIRule is gone is reported as info.
			assert.Equal(t, strings.Count(string(rendered), ownerAnnotation+": "+ns+"/"+name+"\n"),
				strings.Count(string(again), "which is no longer in the input"), "one info per orphan removed")
			assert.Equal(t, len(freshOut.Results), len(againOut.Results)-strings.Count(string(again), "which is no longer in the input"))

			// Rename: the old name owns nothing any more; the new one owns as many objects.
			renamed, _, _ := runFn(renameItem(t, rendered, ns, name, name+"-renamed"))
			assert.NotContains(t, string(renamed), ownerAnnotation+": "+ns+"/"+name+"\n")
			assert.Equal(t, strings.Count(string(rendered), ownerAnnotation+": "+ns+"/"+name+"\n"),
				strings.Count(string(renamed), ownerAnnotation+": "+ns+"/"+name+"-renamed\n"))
		})
	}
}

func apiRuleIndexes(items []*yaml.Node) []int {
	var out []int
	for i, n := range items {
		if yaml.NewRNode(n).GetKind() == "APIRule" {
			out = append(out, i)
		}
	}
	return out
}

func nsName(n *yaml.Node) (string, string) {
	rn := yaml.NewRNode(n)
	return rn.GetNamespace(), rn.GetName()
}

// editItems parses a ResourceList, lets edit change its items, and writes it back.
func editItems(t *testing.T, rl []byte, edit func(items []*yaml.RNode) []*yaml.RNode) []byte {
	t.Helper()
	node, err := yaml.Parse(string(rl))
	require.NoError(t, err)
	itemsNode := node.Field("items").Value
	items, err := itemsNode.Elements()
	require.NoError(t, err)
	var content []*yaml.Node
	for _, it := range edit(items) {
		content = append(content, it.YNode())
	}
	itemsNode.YNode().Content = content
	var b bytes.Buffer
	require.NoError(t, yaml.NewEncoder(&b).Encode(node.YNode()))
	return b.Bytes()
}

func dropItem(t *testing.T, rl []byte, ns, name string) []byte {
	return editItems(t, rl, func(items []*yaml.RNode) []*yaml.RNode {
		var out []*yaml.RNode
		for _, it := range items {
			if it.GetKind() == "APIRule" && it.GetNamespace() == ns && it.GetName() == name {
				continue
			}
			out = append(out, it)
		}
		return out
	})
}

func renameItem(t *testing.T, rl []byte, ns, name, newName string) []byte {
	return editItems(t, rl, func(items []*yaml.RNode) []*yaml.RNode {
		for _, it := range items {
			if it.GetKind() == "APIRule" && it.GetNamespace() == ns && it.GetName() == name {
				require.NoError(t, it.SetName(newName))
			}
		}
		return items
	})
}
