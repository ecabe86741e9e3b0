package processor

//lint:file-ignore SA1019 the legacy config.k8s.io path/index annotations are read and written on purpose, for kpt and kustomize versions that still use them

import (
	"fmt"
	"strconv"
	"strings"

	"sigs.k8s.io/kustomize/kyaml/fn/framework"
	"sigs.k8s.io/kustomize/kyaml/kio/kioutil"
	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/apirule-krm/apirule-fn/fn/apirule"
	"github.com/apirule-krm/apirule-fn/fn/checks"
	"github.com/apirule-krm/apirule-fn/fn/cluster"
	"github.com/apirule-krm/apirule-fn/fn/config"
	"github.com/apirule-krm/apirule-fn/fn/kinds/virtualservice"
	"github.com/apirule-krm/apirule-fn/fn/object"
	"github.com/apirule-krm/apirule-fn/fn/render"
	"github.com/apirule-krm/apirule-fn/fn/schema"
	"github.com/apirule-krm/apirule-fn/fn/yamlsafe"
)

// OwnerAnnotation marks generated objects with the APIRule they came from.
const OwnerAnnotation = "apirule.krm.dev/generated-from"

// LocalConfigAnnotation keeps an object out of kustomize build output and kpt live apply.
const LocalConfigAnnotation = "config.kubernetes.io/local-config"

// Processor renders APIRules. The zero value is ready to use.
type Processor struct {
	// InputBytes is the size of the input the items came from, checked against the
	// config's maxInputBytes (0: unknown).
	InputBytes int64
	// EchoWarnings is set by Process: a KRM function run should print the warnings on
	// stderr too (config stderr: warnings, and not under kpt, which prints results).
	EchoWarnings bool
}

var _ framework.ResourceListProcessor = &Processor{}

// Process implements framework.ResourceListProcessor. It returns the results as an
// error only when one of them is an error, so that the exit code is 1 exactly then.
func (p *Processor) Process(rl *framework.ResourceList) error {
	cfg, refused := loadConfig(rl.FunctionConfig, p.InputBytes, len(rl.Items))
	if refused != nil {
		rl.Results = append(rl.Results, refused...)
		return rl.Results
	}
	p.EchoWarnings = cfg.Stderr == config.StderrWarnings && !underKpt(rl.Items)
	run := &run{cfg: cfg}
	rl.Items, rl.Results = run.process(rl.FunctionConfig, rl.Items), append(rl.Results, run.results...)
	if cfg.Strict {
		strictResults(rl.Results)
	}
	if rl.Results.ExitCode() != 0 {
		return rl.Results
	}
	return nil
}

// run is the state of one Process call.
type run struct {
	cfg     *config.Config
	view    *cluster.View
	ctx     *render.Context
	results framework.Results
	// taken holds group/kind/namespace/name of every item and generated object.
	taken map[string]string
	// nextIndex is the next free index per file path.
	nextIndex map[string]int
	seen      map[string]bool
	// rendered is what the checks see: the APIRules that rendered and the Istio and
	// Oathkeeper objects of the input.
	rendered checks.Render
}

func (r *run) process(fc *yaml.RNode, items []*yaml.RNode) []*yaml.RNode {
	all := items
	items = r.prune(items)
	r.results = append(r.results, nearMisses(fc, items)...)
	r.view = cluster.New(items, r.cfg)
	r.rendered.Selector = func(ns, name string) (map[string]string, bool) {
		s := r.view.Service(ns, name)
		return s.Selector, s.Found
	}
	r.rendered.OathkeeperProxy = r.cfg.OathkeeperProxy
	r.taken, r.nextIndex, r.seen = map[string]string{}, map[string]int{}, map[string]bool{}
	for _, it := range items {
		r.taken[identity(it.GetApiVersion(), it.GetKind(), it.GetNamespace(), it.GetName())] = "input"
		r.reserveIndex(it)
		r.rendered.AddInput(it)
	}
	r.ctx = render.NewContext(r.cfg, r.view)
	if r.cfg.Mode == config.ModeMigrate {
		r.migrate(all)
		return all
	}
	out := make([]*yaml.RNode, 0, len(items))
	var generated, rendered int
	for _, it := range items {
		out = append(out, it)
		if !apirule.IsAPIRule(it.GetApiVersion(), it.GetKind()) {
			continue
		}
		objs := r.apiRule(it)
		if objs != nil {
			rendered++
			r.results = append(r.results, r.renderReport(it, objs))
		}
		generated += len(objs)
		if r.cfg.Mode == config.ModeRender {
			out = append(out, objs...)
		}
	}
	r.check()
	summary := fmt.Sprintf("%d APIRule(s) rendered, %d object(s) generated", rendered, generated)
	if r.cfg.Mode == config.ModeValidate {
		summary = fmt.Sprintf("%d APIRule(s) valid, %d object(s) would be generated (mode: validate, nothing written)", rendered, generated)
	}
	r.results = append(r.results, &framework.Result{Severity: framework.Info, Message: summary})
	return out
}

// renderReport is the info result that lists what an APIRule produced, for
// reviewers: kpt shows it among the results, standalone mode with --verbose.
func (r *run) renderReport(it *yaml.RNode, objs []*yaml.RNode) *framework.Result {
	names := make([]string, len(objs))
	for i, o := range objs {
		names[i] = o.GetKind() + " " + o.GetNamespace() + "/" + o.GetName()
	}
	verb := "rendered"
	if r.cfg.Mode == config.ModeValidate {
		verb = "would render (mode: validate)"
	}
	return result(framework.Info, itemRef(it), "", fmt.Sprintf("%s %d object(s): %s", verb, len(objs), strings.Join(names, ", ")), fileOf(it))
}

// reporter returns the function that records results about the item.
func (r *run) reporter(it *yaml.RNode) func(framework.Severity, string, string) {
	ref, file := itemRef(it), fileOf(it)
	return func(sev framework.Severity, path, msg string) {
		r.results = append(r.results, result(sev, ref, path, msg, file))
	}
}

// apiRule renders one APIRule item and returns its objects as items (nil on failure).
func (r *run) apiRule(it *yaml.RNode) []*yaml.RNode {
	report := r.reporter(it)
	version, obj, ok := r.admit(it, report)
	if !ok {
		return nil
	}
	out, err := render.APIRule(r.ctx, version, obj)
	if err != nil {
		report(framework.Error, "", err.Error())
		return nil
	}
	for _, f := range out.Findings {
		report(severity(f.Severity), f.Path, f.Message)
	}
	if out.Failed() {
		r.checkFailed(it, out, report)
		for _, o := range out.Applied {
			r.occupy(o, out.Hosts, it)
		}
		return nil
	}
	placed := r.place(it, out, report)
	if placed != nil {
		r.addChecked(it, out, report)
	} else {
		r.checkFailed(it, out, report)
	}
	return placed
}

// admit checks what every mode checks of an APIRule item first (a unique name, a
// supported version, the limits, its CRD schema) and returns its version and plain
// form; false when it reported an error.
func (r *run) admit(it *yaml.RNode, report func(framework.Severity, string, string)) (string, map[string]any, bool) {
	id := it.GetNamespace() + "/" + it.GetName()
	if r.seen[id] {
		report(framework.Error, "metadata.name", fmt.Sprintf("duplicate APIRule %s: an earlier item has the same namespace and name", id))
		return "", nil, false
	}
	r.seen[id] = true
	version, ok := apirule.VersionOf(it.GetApiVersion())
	if !ok {
		report(framework.Error, "apiVersion", fmt.Sprintf("unsupported APIRule version %q: supported are %s",
			it.GetApiVersion(), strings.Join(apirule.Versions, ", ")))
		return "", nil, false
	}
	if r.cfg.APIRules == config.APIRulesLocal && r.cfg.Mode == config.ModeRender {
		if err := it.PipeE(yaml.SetAnnotation(LocalConfigAnnotation, "true")); err != nil {
			report(framework.Error, "metadata.annotations", err.Error())
			return "", nil, false
		}
	}
	plain, err := yamlsafe.Decode(it.YNode(), yamlsafe.Limits{MaxDepth: r.cfg.MaxDepth, MaxScalarBytes: r.cfg.MaxScalarBytes})
	if err != nil {
		path := ""
		if e, ok := err.(*yamlsafe.Error); ok {
			path, err = e.Path, fmt.Errorf("%s", e.Message)
		}
		report(framework.Error, path, err.Error())
		return "", nil, false
	}
	obj, _ := plain.(map[string]any)
	if n := countRules(obj); n > r.cfg.MaxRulesPerAPIRule {
		report(framework.Error, "spec.rules", fmt.Sprintf("%d rules exceed the limit of %d (raise maxRulesPerAPIRule in the function config)", n, r.cfg.MaxRulesPerAPIRule))
		return "", nil, false
	}
	violations, err := schema.Validate(version, obj)
	if err != nil {
		report(framework.Error, "apiVersion", err.Error())
		return "", nil, false
	}
	for _, v := range violations {
		report(framework.Error, v.Path, v.Message)
	}
	return version, obj, len(violations) == 0
}

func countRules(obj map[string]any) int {
	spec, _ := obj["spec"].(map[string]any)
	rules, _ := spec["rules"].([]any)
	return len(rules)
}

// place names and annotates the objects, checks that no input item or earlier object
// has the same identity, and records the VirtualService hosts for later APIRules.
func (r *run) place(it *yaml.RNode, rendered render.Output, report func(framework.Severity, string, string)) []*yaml.RNode {
	ns, name, objs := it.GetNamespace(), it.GetName(), rendered.Objects
	ids := make([]string, len(objs))
	for i, o := range objs {
		o.SetName(ns, name)
		ids[i] = identity(o.APIVersion, o.Kind, o.Namespace, o.Name)
		if owner, clash := r.taken[ids[i]]; clash {
			what := "an item of the input that apirule-fn did not generate"
			if owner != "input" {
				what = "an object generated for APIRule " + owner
			}
			report(framework.Error, "", fmt.Sprintf("generated %s %s/%s would replace %s; rename or remove that object", o.Kind, o.Namespace, o.Name, what))
			return nil
		}
		for j := 0; j < i; j++ {
			if ids[j] == ids[i] {
				report(framework.Error, "", fmt.Sprintf("two generated %s objects would both be named %s/%s", o.Kind, o.Namespace, o.Name))
				return nil
			}
		}
	}
	out := make([]*yaml.RNode, 0, len(objs))
	for i, o := range objs {
		r.taken[ids[i]] = ns + "/" + name
		if o.Annotations == nil {
			o.Annotations = map[string]string{}
		}
		o.Annotations[OwnerAnnotation] = ns + "/" + name
		o.Annotations[DigestAnnotation] = Digest(o.APIVersion, o.Kind, ns+"/"+name, o.Spec)
		r.copyPath(it, o.Annotations)
		r.occupy(o, rendered.Hosts, it)
		out = append(out, yaml.NewRNode(o.Node()))
	}
	return out
}

// occupy records the hosts of a generated VirtualService for later APIRules, with
// the file of its APIRule, for the message of an APIRule that wants one of them.
func (r *run) occupy(o *object.Object, hosts []string, apiRule *yaml.RNode) {
	if o.Kind == virtualservice.Kind {
		vs := &cluster.VirtualService{Namespace: o.Namespace, Name: o.Name, Hosts: hosts, Labels: o.Labels}
		if f := fileOf(apiRule); f != nil {
			vs.File = f.Path
		}
		r.view.AddVirtualService(vs)
	}
}

// reserveIndex records the highest index used in each file.
func (r *run) reserveIndex(it *yaml.RNode) {
	a := it.GetAnnotations()
	for _, pair := range [][2]string{{kioutil.PathAnnotation, kioutil.IndexAnnotation}, {kioutil.LegacyPathAnnotation, kioutil.LegacyIndexAnnotation}} {
		p, ok := a[pair[0]]
		if !ok {
			continue
		}
		idx, err := strconv.Atoi(a[pair[1]])
		if err != nil {
			idx = 0
		}
		if idx+1 > r.nextIndex[pair[0]+"\x00"+p] {
			r.nextIndex[pair[0]+"\x00"+p] = idx + 1
		}
	}
}

// copyPath puts a generated object into its APIRule's file (kpt, kustomize fn run)
// with the next free index, in both the current and the legacy annotations the
// APIRule carries.
func (r *run) copyPath(apiRule *yaml.RNode, annotations map[string]string) {
	a := apiRule.GetAnnotations()
	for _, pair := range [][2]string{{kioutil.PathAnnotation, kioutil.IndexAnnotation}, {kioutil.LegacyPathAnnotation, kioutil.LegacyIndexAnnotation}} {
		p, ok := a[pair[0]]
		if !ok {
			continue
		}
		k := pair[0] + "\x00" + p
		annotations[pair[0]] = p
		annotations[pair[1]] = strconv.Itoa(r.nextIndex[k])
		r.nextIndex[k]++
	}
}

func identity(apiVersion, kind, ns, name string) string {
	group, _, _ := strings.Cut(apiVersion, "/")
	if !strings.Contains(apiVersion, "/") {
		group = ""
	}
	return group + "/" + kind + "/" + ns + "/" + name
}

func severity(s render.Severity) framework.Severity {
	switch s {
	case render.Error:
		return framework.Error
	case render.Warning:
		return framework.Warning
	}
	return framework.Info
}

func itemRef(it *yaml.RNode) *yaml.ResourceIdentifier {
	return &yaml.ResourceIdentifier{
		TypeMeta: yaml.TypeMeta{APIVersion: it.GetApiVersion(), Kind: it.GetKind()},
		NameMeta: yaml.NameMeta{Name: it.GetName(), Namespace: it.GetNamespace()},
	}
}

func configRef(fc *yaml.RNode) *yaml.ResourceIdentifier {
	if fc == nil {
		return nil
	}
	return itemRef(fc)
}

func fileOf(it *yaml.RNode) *framework.File {
	a := it.GetAnnotations()
	p, ok := a[kioutil.PathAnnotation]
	if !ok {
		p, ok = a[kioutil.LegacyPathAnnotation]
	}
	if !ok {
		return nil
	}
	idx, _ := strconv.Atoi(a[kioutil.IndexAnnotation])
	return &framework.File{Path: p, Index: idx}
}

func result(sev framework.Severity, ref *yaml.ResourceIdentifier, path, msg string, file *framework.File) *framework.Result {
	res := &framework.Result{Severity: sev, Message: msg, ResourceRef: ref, File: file}
	if path != "" && ref != nil {
		res.Field = &framework.Field{Path: path}
	}
	return res
}
