package processor

import (
	"fmt"
	"slices"
	"strings"

	"sigs.k8s.io/kustomize/kyaml/fn/framework"
	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/apirule-krm/apirule-fn/fn/apirule"
	"github.com/apirule-krm/apirule-fn/fn/config"
	"github.com/apirule-krm/apirule-fn/fn/krmio"
	"github.com/apirule-krm/apirule-fn/fn/yamlsafe"
)

// MaxAliasNodes bounds the nodes that expanding the YAML aliases of all pass-through
// items may add. Real manifests stay far below it; a billion-laughs document (a few
// hundred bytes that expand to billions of nodes) is refused before anything is copied.
const MaxAliasNodes = 100_000

// MaxAliasDepth bounds how deep expanding aliases may nest an item: a chain of
// aliases to lists of aliases nests deeper than the YAML parsers downstream accept
// (go-yaml stops at 10,000 levels) without being large.
const MaxAliasDepth = 1000

// MaxItemNodes bounds the YAML nodes of one item. Every node takes at least two
// bytes of JSON, so a larger item exceeds the 1.5 MiB the API server stores and can
// never be applied; writing it would take gigabytes (the YAML emitter keeps every
// event of a document).
const MaxItemNodes = 1 << 20

// MaxItemProblems bounds the error results CheckItems returns one by one; more
// refused items are counted in one last result, so that a hostile input cannot
// multiply the output.
const MaxItemProblems = 100

// CheckInput checks what a run reads, before anything is rendered: the function
// config, the size of the whole input against its limits, then the items
// (CheckItems). Any result is an error that refuses the input as a whole; the
// processor repeats the first two checks for callers that do not use CheckInput.
func CheckInput(fc *yaml.RNode, nodes []*yaml.Node, inputBytes int64) ([]*yaml.RNode, framework.Results) {
	if _, refused := loadConfig(fc, inputBytes, len(nodes)); refused != nil {
		return nil, refused
	}
	return CheckItems(nodes)
}

// loadConfig reads the function config and checks the input's size against its
// limits; any problem is an error result and refuses the input.
func loadConfig(fc *yaml.RNode, inputBytes int64, items int) (*config.Config, framework.Results) {
	cfg, errs := config.Load(fc)
	if len(errs) > 0 {
		ref := configRef(fc)
		var results framework.Results
		for _, e := range errs {
			results = append(results, result(framework.Error, ref, e.Path, "invalid function config: "+e.Message, nil))
		}
		return nil, results
	}
	if cfg.MaxInputBytes > 0 && inputBytes > cfg.MaxInputBytes {
		return nil, framework.Results{result(framework.Error, nil, "", fmt.Sprintf(
			"input too large: %d bytes exceed maxInputBytes %d", inputBytes, cfg.MaxInputBytes), nil)}
	}
	// Unset, maxItems adds nothing to the reader's limit, which the environment sets: a default
	// here would undo APIRULE_FN_MAX_ITEMS.
	if cfg.MaxItems > 0 && items > cfg.MaxItems {
		return nil, framework.Results{result(framework.Error, nil, "", fmt.Sprintf(
			"input too large: %d items exceed maxItems %d of the function config (raise or remove it)", items, cfg.MaxItems), nil)}
	}
	return cfg, nil
}

// CheckItems turns raw item nodes into RNodes, reporting every item a KRM function
// cannot work on, each as an error result naming the item and, where there is one,
// the field:
//   - null or non-mapping items, items without a string apiVersion or kind, Lists
//     and ResourceLists nested as items (kyaml would wrap them again on output),
//     metadata, labels or annotations that are not mappings, a name or namespace
//     that is not a string;
//   - YAML that decoders read differently, in any item: duplicate keys (kyaml keeps
//     the first value, the API server the last, and the function reads Services,
//     Gateways and ConfigMaps among the items) and merge keys (<<);
//   - anchors and aliases in APIRules;
//   - items of more than MaxItemNodes nodes;
//   - aliases that refer to their own node, that expand to more than
//     MaxAliasNodes nodes in all, or that nest an item deeper than MaxAliasDepth.
//
// The aliases of other items are expanded into copies: items are written one by one,
// so an alias whose anchor is in another item would otherwise come out dangling, and
// kyaml's field lookups do not follow aliases.
func CheckItems(nodes []*yaml.Node) ([]*yaml.RNode, framework.Results) {
	c := &itemChecker{sizes: map[*yaml.Node]extent{}, open: map[*yaml.Node]bool{}}
	var results framework.Results
	refused := 0
	items := make([]*yaml.RNode, 0, len(nodes))
	for i, n := range nodes {
		if p := c.item(n); p != nil {
			if refused++; refused <= MaxItemProblems {
				results = append(results, p.result(i, n))
			}
			continue
		}
		items = append(items, yaml.NewRNode(n))
	}
	if refused > MaxItemProblems {
		results = append(results, &framework.Result{Severity: framework.Error,
			Message: fmt.Sprintf("%d more items refused (only the first %d are reported)", refused-MaxItemProblems, MaxItemProblems)})
	}
	return items, results
}

// itemProblem is a refused item: the path of the offending field, built from the
// innermost segment outwards, and what is wrong.
type itemProblem struct {
	segs []string
	msg  string
}

func problem(format string, a ...any) *itemProblem {
	return &itemProblem{msg: fmt.Sprintf(format, a...)}
}

// in prefixes the problem's path with a mapping key or a sequence index.
func (p *itemProblem) in(seg string) *itemProblem {
	p.segs = append(p.segs, yamlsafe.Escape(seg))
	return p
}

func (p *itemProblem) path() string {
	var b strings.Builder
	for i, s := range slices.Backward(p.segs) {
		if i < len(p.segs)-1 && !strings.HasPrefix(s, "[") {
			b.WriteByte('.')
		}
		b.WriteString(s)
	}
	return b.String()
}

func (p *itemProblem) result(i int, n *yaml.Node) *framework.Result {
	r := &framework.Result{Severity: framework.Error, Message: fmt.Sprintf("items[%d]: %s", i, p.msg)}
	if n.Kind == yaml.MappingNode {
		rn := yaml.NewRNode(n)
		if apiVersion, kind := stringField(n, "apiVersion"), stringField(n, "kind"); apiVersion != "" && kind != "" {
			r.ResourceRef = &yaml.ResourceIdentifier{TypeMeta: yaml.TypeMeta{APIVersion: apiVersion, Kind: kind}}
			if md := field(n, "metadata"); md != nil && md.Kind == yaml.MappingNode {
				r.ResourceRef.Name, r.ResourceRef.Namespace = stringField(md, "name"), stringField(md, "namespace")
				r.File = fileOf(rn)
			}
		}
	}
	if path := p.path(); path != "" {
		r.Field = &framework.Field{Path: path}
	}
	return r
}

type itemChecker struct {
	// sizes holds the expanded size and height of every anchored node visited; open
	// marks the anchored nodes being visited (an alias to one of them is a cycle).
	sizes map[*yaml.Node]extent
	open  map[*yaml.Node]bool
	// literal counts the nodes visited of the current item, aliases not followed.
	literal int
	// aliases counts the aliases of the current item, anchors its anchors.
	aliases, anchors int
	// aliasNodes counts the nodes added by expanding aliases so far.
	aliasNodes int
}

func (c *itemChecker) item(n *yaml.Node) *itemProblem {
	switch {
	case n.Kind == yaml.ScalarNode && n.Tag == yaml.NodeTagNull:
		return problem("null item")
	case n.Kind != yaml.MappingNode:
		return problem("an item must be a mapping (a Kubernetes object), found %s", nodeKind(n))
	}
	c.literal, c.aliases, c.anchors = 0, 0, 0
	ext, p := c.visit(n, true)
	if p != nil {
		return p
	}
	if c.literal > MaxItemNodes {
		return problem("an item of %d YAML nodes: no Kubernetes object has more than %d", c.literal, MaxItemNodes)
	}
	apiVersion, p := typeField(n, "apiVersion")
	if p != nil {
		return p
	}
	kind, p := typeField(n, "kind")
	if p != nil {
		return p
	}
	switch {
	case kind == "ResourceList" || kind == "List" || kind == "FunctionResultList" ||
		(strings.HasSuffix(kind, "List") && field(n, "items") != nil):
		return problem("a %s cannot be an item; pass its items instead%s", kind, listHint(apiVersion, kind)).in("kind")
	case strings.HasPrefix(apiVersion, resourceListGroup+"/") && (field(n, "items") != nil || field(n, "functionConfig") != nil ||
		editDistance(strings.ToLower(kind), "resourcelist") <= 3):
		return problem("kind %q of %s is not a ResourceList, so the input is read as a stream of objects: spell it kind: ResourceList", kind, apiVersion).in("kind")
	case apirule.IsAPIRule(apiVersion, kind) && c.anchors+c.aliases > 0:
		return c.firstAnchorOrAlias(n)
	case c.aliases > 0:
		c.aliasNodes += ext.size - c.literal
		if c.aliasNodes > MaxAliasNodes {
			return problem("excessive YAML aliasing: the aliases of the input expand to more than %d nodes; write the values out", MaxAliasNodes)
		}
		if ext.height > MaxAliasDepth {
			return problem("excessive YAML aliasing: the aliases nest the item deeper than %d levels; write the values out", MaxAliasDepth)
		}
		expandAliases(n)
	}
	return checkMetadata(n)
}

// resourceListGroup is the group of ResourceList; no object of a cluster has it.
const resourceListGroup = "config.kubernetes.io"

// listHint says why a ResourceList was read as an item when it is the only
// document: its apiVersion is not one the function reads.
func listHint(apiVersion, kind string) string {
	if kind != "ResourceList" || krmio.IsResourceListVersion(apiVersion) {
		return ""
	}
	return fmt.Sprintf(" (a ResourceList is read as the whole input only with apiVersion %s/v1, v1beta1 or v1alpha1; this one has %q)", resourceListGroup, apiVersion)
}

// saturated caps expanded sizes so that nested aliases cannot overflow an int.
const saturated = 1 << 40

// extent is the number of nodes a node stands for with every alias expanded, and
// the depth of the deepest of them below it (1 for a scalar).
type extent struct{ size, height int }

// visit checks the keys of n and everything under it and returns its extent.
// literal is false inside alias targets, which are visited once, wherever they are.
func (c *itemChecker) visit(n *yaml.Node, literal bool) (extent, *itemProblem) {
	if literal {
		c.literal++
		if n.Anchor != "" {
			c.anchors++
		}
	}
	if n.Kind == yaml.AliasNode {
		if literal {
			c.aliases++
		}
		t := n.Alias
		if c.open[t] {
			return extent{}, problem("YAML alias *%s refers to a node that contains it", n.Value)
		}
		if e, ok := c.sizes[t]; ok {
			return e, nil
		}
		return c.visit(t, false)
	}
	if n.Anchor != "" {
		if e, ok := c.sizes[n]; ok && !literal {
			return e, nil
		}
		c.open[n] = true
		defer delete(c.open, n)
	}
	if n.Kind == yaml.MappingNode {
		seen := make(map[string]bool, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if isMergeKey(k) {
				return extent{}, problem("YAML merge keys (<<) are not allowed: decoders apply them differently; write the fields out")
			}
			if k.Kind == yaml.ScalarNode {
				if seen[k.Value] {
					return extent{}, problem("duplicate key %q: kyaml would use the first value and the API server the last; remove one", k.Value).in(k.Value)
				}
				seen[k.Value] = true
			}
		}
	}
	ext := extent{size: 1, height: 1}
	for i, child := range n.Content {
		e, p := c.visit(child, literal)
		if p != nil {
			if n.Kind == yaml.MappingNode && i%2 == 1 {
				p.in(n.Content[i-1].Value)
			} else if n.Kind == yaml.SequenceNode {
				p.in(fmt.Sprintf("[%d]", i))
			}
			return extent{}, p
		}
		ext.size = min(ext.size+e.size, saturated)
		ext.height = max(ext.height, e.height+1)
	}
	if n.Anchor != "" {
		c.sizes[n] = ext
	}
	return ext, nil
}

func isMergeKey(k *yaml.Node) bool {
	return k.Tag == "!!merge" || (k.Kind == yaml.ScalarNode && k.Value == "<<" && k.Style == 0)
}

// firstAnchorOrAlias reports the first anchor or alias of an APIRule.
func (c *itemChecker) firstAnchorOrAlias(n *yaml.Node) *itemProblem {
	switch {
	case n.Anchor != "":
		return problem("YAML anchors (&%s) are not allowed in an APIRule: decoders expand aliases differently; write the value out", n.Anchor)
	case n.Kind == yaml.AliasNode:
		return problem("YAML aliases (*%s) are not allowed in an APIRule: decoders expand them differently; write the value out", n.Value)
	}
	for i, child := range n.Content {
		if p := c.firstAnchorOrAlias(child); p != nil {
			if n.Kind == yaml.MappingNode {
				return p.in(n.Content[i-i%2].Value)
			}
			return p.in(fmt.Sprintf("[%d]", i))
		}
	}
	return nil
}

// expandAliases replaces every alias under n with a copy of what it refers to.
func expandAliases(n *yaml.Node) {
	n.Anchor = ""
	for i, child := range n.Content {
		if child.Kind == yaml.AliasNode {
			cp := deepCopy(child.Alias)
			cp.HeadComment, cp.LineComment, cp.FootComment = child.HeadComment, child.LineComment, child.FootComment
			n.Content[i] = cp
			continue
		}
		expandAliases(child)
	}
}

func deepCopy(n *yaml.Node) *yaml.Node {
	if n.Kind == yaml.AliasNode {
		return deepCopy(n.Alias)
	}
	cp := *n
	cp.Anchor = ""
	if n.Content != nil {
		cp.Content = make([]*yaml.Node, len(n.Content))
		for i, child := range n.Content {
			cp.Content[i] = deepCopy(child)
		}
	}
	return &cp
}

// typeField returns apiVersion or kind, which must be a non-empty string.
func typeField(n *yaml.Node, name string) (string, *itemProblem) {
	v := field(n, name)
	switch {
	case v == nil || (v.Kind == yaml.ScalarNode && (v.Tag == yaml.NodeTagNull || v.Value == "")):
		return "", problem("item without %s", name)
	case v.Kind != yaml.ScalarNode || v.Tag != yaml.NodeTagString:
		return "", problem("%s must be a string, found %s", name, nodeKind(v)).in(name)
	}
	return v.Value, nil
}

// checkMetadata checks the metadata fields kyaml reads of every item.
func checkMetadata(n *yaml.Node) *itemProblem {
	md := field(n, "metadata")
	if md == nil || isNull(md) {
		return nil
	}
	if md.Kind != yaml.MappingNode {
		return problem("metadata must be a mapping, found %s", nodeKind(md)).in("metadata")
	}
	for _, f := range []string{"name", "namespace"} {
		if v := field(md, f); v != nil && !isNull(v) && (v.Kind != yaml.ScalarNode || v.Tag != yaml.NodeTagString) {
			return problem("%s must be a string, found %s", f, nodeKind(v)).in(f).in("metadata")
		}
	}
	for _, f := range []string{"labels", "annotations"} {
		if v := field(md, f); v != nil && !isNull(v) && v.Kind != yaml.MappingNode {
			return problem("%s must be a mapping, found %s", f, nodeKind(v)).in(f).in("metadata")
		}
	}
	return nil
}

func field(n *yaml.Node, name string) *yaml.Node {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == name {
			return n.Content[i+1]
		}
	}
	return nil
}

// stringField returns a string field's value, or "" if it is missing or no string.
func stringField(n *yaml.Node, name string) string {
	v := field(n, name)
	if v == nil || v.Kind != yaml.ScalarNode || v.Tag != yaml.NodeTagString {
		return ""
	}
	return v.Value
}

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.Tag == yaml.NodeTagNull }

// nodeKind describes a node for messages: "a mapping", "an alias", "!!int 1".
func nodeKind(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	}
	v := n.Value
	if len(v) > 40 {
		v = v[:40] + "..."
	}
	return fmt.Sprintf("%s %q", n.ShortTag(), v)
}
