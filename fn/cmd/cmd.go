package cmd

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"sigs.k8s.io/kustomize/kyaml/fn/framework"
	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/apirule-krm/apirule-fn/fn/config"
	"github.com/apirule-krm/apirule-fn/fn/krmio"
	"github.com/apirule-krm/apirule-fn/fn/object"
	"github.com/apirule-krm/apirule-fn/fn/processor"
	"github.com/apirule-krm/apirule-fn/fn/yamlsafe"
)

// MaxInputEnv and MaxItemsEnv raise the reader's byte and item limits above the
// defaults; the function config arrives inside the input, read under these limits,
// so it can lower them but not raise them.
const (
	MaxInputEnv = "APIRULE_FN_MAX_INPUT_BYTES"
	MaxItemsEnv = "APIRULE_FN_MAX_ITEMS"
)

// options are the flags that shape what standalone and stream mode print.
type options struct {
	// verbose prints every result on stderr, infos (the render report) included.
	verbose bool
	// generatedOnly prints only the generated objects, ready for kubectl apply.
	generatedOnly bool
	// outputOnError prints the objects even when an error is reported.
	outputOnError bool
}

// flags reads the leading flags of args and returns the rest.
func flags(args []string) (options, []string, error) {
	var o options
	for len(args) > 0 && strings.HasPrefix(args[0], "-") && args[0] != "-" {
		switch args[0] {
		case "-v", "--verbose":
			o.verbose = true
		case "--generated-only":
			o.generatedOnly = true
		case "--output-on-error":
			o.outputOnError = true
		default:
			return o, nil, fmt.Errorf("unknown flag %s (see apirule-fn --help)", yamlsafe.Escape(args[0]))
		}
		args = args[1:]
	}
	return o, args, nil
}

// Main runs the command and returns the process exit code.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		switch args[0] {
		case "-h", "--help", "help":
			fmt.Fprint(stdout, usage)
			return 0
		case "--version", "version":
			fmt.Fprintf(stdout, "apirule-fn %s\n", version())
			return 0
		case "--schema", "schema":
			fmt.Fprint(stdout, config.Schema())
			return 0
		}
	}
	migrating := len(args) > 0 && args[0] == "migrate"
	if migrating {
		args = args[1:]
	}
	opts, args, err := flags(args)
	if err != nil {
		fmt.Fprintf(stderr, "apirule-fn: %v\n", err)
		return 2
	}
	limit, err := readLimits()
	if err != nil {
		fmt.Fprintf(stderr, "apirule-fn: %v\n", err)
		return 2
	}
	var in *krmio.Input
	switch {
	case migrating:
		in, err = readMigrate(args, stdin, limit)
	case len(args) > 0:
		in, err = readStandalone(args, stdin, limit)
	default:
		in, err = readStdin(stdin, limit)
	}
	if errors.Is(err, krmio.ErrTooLarge) {
		err = raiseHint(err)
	}
	if err != nil {
		fmt.Fprintf(stderr, "apirule-fn: %s\n", yamlsafe.Escape(err.Error()))
		return 1
	}
	if in.Wrapped && len(args) == 0 && (opts.generatedOnly || opts.outputOnError) {
		fmt.Fprintln(stderr, "apirule-fn: --generated-only and --output-on-error shape standalone and stream output; "+
			"a ResourceList in comes out as a ResourceList with every item")
		return 2
	}
	return run(in, migrating || len(args) > 0, opts, stdout, stderr)
}

// readMigrate reads the files of `apirule-fn migrate [CONFIG] FILE...` (none or
// "-": stdin). The config is optional and may be any of the files' documents, so it
// is told apart by its kind; its mode is set to migrate.
func readMigrate(files []string, stdin io.Reader, limit limits) (*krmio.Input, error) {
	in, err := readFiles(files, stdin, limit)
	if err != nil {
		return nil, err
	}
	if err := configFromStream(in); err != nil {
		return nil, err
	}
	if in.FunctionConfig == nil {
		in.FunctionConfig = object.Pairs("apiVersion", config.APIVersion, "kind", config.Kind, "spec", object.Map())
	}
	fc := yaml.NewRNode(in.FunctionConfig)
	section := "spec"
	if fc.GetKind() == "ConfigMap" {
		section = "data"
	}
	if f := fc.Field(section); f == nil || f.Value.IsNilOrEmpty() {
		if err := fc.PipeE(yaml.SetField(section, yaml.NewMapRNode(nil))); err != nil {
			return nil, err
		}
	}
	return in, fc.PipeE(yaml.Lookup(section), yaml.SetField("mode", yaml.NewStringRNode(config.ModeMigrate)))
}

// limits are the reader's: bytes read, and items and nodes counted before parsing.
type limits struct {
	bytes int64
	parse krmio.Limits
}

func readLimits() (limits, error) {
	bytes, err := envLimit(MaxInputEnv, config.DefaultMaxInputBytes, "bytes")
	if err != nil {
		return limits{}, err
	}
	items, err := envLimit(MaxItemsEnv, config.DefaultMaxItems, "items")
	if err != nil {
		return limits{}, err
	}
	return limits{bytes: bytes, parse: krmio.Limits{MaxItems: int(items), MaxItemNodes: processor.MaxItemNodes}}, nil
}

func envLimit(name string, def int64, unit string) (int64, error) {
	v := os.Getenv(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("%s must be a positive number of %s, got %q", name, unit, v)
	}
	return n, nil
}

// raiseHint says how to raise the reader limit an error is about; the nodes of an
// item are bounded by what the API server stores, and cannot be raised.
func raiseHint(err error) error {
	env := MaxInputEnv
	if le := (*krmio.LimitError)(nil); errors.As(err, &le) {
		if le.Limit == "nodes" {
			return err
		}
		env = MaxItemsEnv
	}
	return fmt.Errorf("%w (raise the limit with the environment variable %s)", err, env)
}

func readStdin(stdin io.Reader, limit limits) (*krmio.Input, error) {
	data, err := krmio.ReadAll(stdin, limit.bytes)
	if err != nil {
		return nil, fmt.Errorf("read stdin: %w", err)
	}
	in, err := krmio.ParseLimited(data, limit.parse)
	if err != nil || in.Wrapped {
		return in, err
	}
	return in, configFromStream(in)
}

// configFromStream takes the APIRuleTransformer document of a plain stream as the
// function config: a stream has no other place for it, and passed through it would
// go to the cluster with the rendered objects.
func configFromStream(in *krmio.Input) error {
	items := in.Items[:0:0]
	for _, n := range in.Items {
		if !isTransformerConfig(n) {
			items = append(items, n)
			continue
		}
		if in.FunctionConfig != nil {
			return fmt.Errorf("the stream holds more than one %s document: keep one, the function config", config.Kind)
		}
		in.FunctionConfig = n
	}
	in.Items = items
	return nil
}

func isTransformerConfig(n *yaml.Node) bool {
	if n.Kind != yaml.MappingNode {
		return false
	}
	rn := yaml.NewRNode(n)
	return rn.GetApiVersion() == config.APIVersion && rn.GetKind() == config.Kind
}

// readStandalone reads CONFIG.yaml and the resource files ("-" is stdin).
func readStandalone(args []string, stdin io.Reader, limit limits) (*krmio.Input, error) {
	cfgData, err := readFile(args[0], stdin, limit)
	if err != nil {
		return nil, err
	}
	cfgIn, err := parseFile(cfgData, limit)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", args[0], err)
	}
	if len(cfgIn.Items) > 1 {
		return nil, fmt.Errorf("%s: want one function config document (or none for the defaults), found %d", args[0], len(cfgIn.Items))
	}
	in, err := readFiles(args[1:], stdin, limit)
	if err != nil {
		return nil, err
	}
	in.Bytes += cfgIn.Bytes
	if len(cfgIn.Items) == 1 {
		in.FunctionConfig = cfgIn.Items[0]
	}
	return in, nil
}

// readFiles reads and parses resource files in order ("-" or none: stdin).
func readFiles(files []string, stdin io.Reader, limit limits) (*krmio.Input, error) {
	if len(files) == 0 {
		files = []string{"-"}
	}
	in := &krmio.Input{}
	for _, f := range files {
		data, err := readFile(f, stdin, limit)
		if err != nil {
			return nil, err
		}
		part, err := parseFile(data, limit)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		in.Items, in.Bytes = append(in.Items, part.Items...), in.Bytes+part.Bytes
	}
	return in, nil
}

// parseFile parses one file of standalone mode, whose refusal is an error.
func parseFile(data []byte, limit limits) (*krmio.Input, error) {
	in, err := krmio.ParseLimited(data, limit.parse)
	if err == nil && in.Refused != nil {
		err = in.Refused
	}
	return in, err
}

func readFile(name string, stdin io.Reader, limit limits) ([]byte, error) {
	if name == "-" {
		return krmio.ReadAll(stdin, limit.bytes)
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := krmio.ReadAll(f, limit.bytes)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return data, nil
}

func run(in *krmio.Input, standalone bool, opts options, stdout, stderr io.Writer) int {
	rl := &framework.ResourceList{}
	if in.FunctionConfig != nil {
		rl.FunctionConfig = yaml.NewRNode(in.FunctionConfig)
	}
	var problems framework.Results
	if in.Refused != nil {
		problems = framework.Results{{Severity: framework.Error, Message: raiseHint(in.Refused).Error()}}
	} else if in.ItemsNotList {
		problems = framework.Results{{Severity: framework.Error, Field: &framework.Field{Path: "items"},
			Message: "ResourceList items must be a list (items: [] when there are none)"}}
	} else {
		rl.Items, problems = processor.CheckInput(rl.FunctionConfig, in.Items, in.Bytes)
	}
	refused := len(problems) > 0
	echoWarnings := false
	if refused {
		// The input is refused as a whole: the output carries the results only (a
		// refused config may hold aliases to anchors that are not written).
		rl.Items, rl.Results = nil, problems
	} else {
		p := &processor.Processor{InputBytes: in.Bytes}
		var procErr error = p.Process(rl)
		echoWarnings = p.EchoWarnings
		var res framework.Results
		if procErr != nil && !errors.As(procErr, &res) {
			fmt.Fprintf(stderr, "apirule-fn: %s\n", yamlsafe.Escape(procErr.Error()))
			return 1
		}
	}
	escapeResults(rl.Results)
	out := &krmio.Output{Items: rl.Items}
	if in.Wrapped && !standalone {
		out.Wrapped, out.APIVersion, out.Results = true, in.APIVersion, rl.Results
		if !refused {
			out.FunctionConfig = in.FunctionConfig
		}
	} else {
		out.StripReaderAnnotations = standalone
	}
	if !out.Wrapped {
		// A stream goes to kubectl apply: on an error, nothing unless asked.
		if rl.Results.ExitCode() != 0 && !opts.outputOnError {
			out.Items = nil
		}
		if opts.generatedOnly {
			out.Items = generated(out.Items)
		}
	}
	if err := krmio.Write(stdout, out); err != nil {
		fmt.Fprintf(stderr, "apirule-fn: %s\n", yamlsafe.Escape(err.Error()))
		return 1
	}
	return report(rl.Results, stderr, func(s framework.Severity) bool {
		return s == framework.Error || (s == framework.Warning && (!out.Wrapped || echoWarnings)) || opts.verbose
	})
}

// generated keeps the objects the function generated.
func generated(items []*yaml.RNode) []*yaml.RNode {
	var out []*yaml.RNode
	for _, it := range items {
		if _, ok := it.GetAnnotations()[processor.OwnerAnnotation]; ok {
			out = append(out, it)
		}
	}
	return out
}

// escapeResults escapes control and other non-printable characters in everything a
// result echoes from the input, so that neither the results nor stderr can carry
// terminal escape sequences or forged lines.
func escapeResults(results framework.Results) {
	for _, r := range results {
		r.Message = yamlsafe.Escape(r.Message)
		if ref := r.ResourceRef; ref != nil {
			ref.APIVersion, ref.Kind = yamlsafe.Escape(ref.APIVersion), yamlsafe.Escape(ref.Kind)
			ref.Name, ref.Namespace = yamlsafe.Escape(ref.Name), yamlsafe.Escape(ref.Namespace)
		}
		if r.Field != nil {
			r.Field.Path = yamlsafe.Escape(r.Field.Path)
		}
		if r.File != nil {
			r.File.Path = yamlsafe.Escape(r.File.Path)
		}
	}
}

// report prints the results show selects to stderr, one line each (kustomize shows
// only stderr; a stream has no place for results).
func report(results framework.Results, stderr io.Writer, show func(framework.Severity) bool) int {
	for _, r := range results {
		if show(r.Severity) {
			fmt.Fprintln(stderr, "apirule-fn: "+oneLine(r))
		}
	}
	return results.ExitCode()
}

// oneLine formats a result as "<severity>: <Kind> <ns>/<name> <field>: <message>".
func oneLine(r *framework.Result) string {
	var b strings.Builder
	sev := string(r.Severity)
	if sev == "" {
		sev = "info"
	}
	b.WriteString(sev + ": ")
	if ref := r.ResourceRef; ref != nil && ref.Kind != "" {
		b.WriteString(ref.Kind + " ")
		if ref.Namespace != "" {
			b.WriteString(ref.Namespace + "/")
		}
		if ref.Name != "" {
			b.WriteString(ref.Name + " ")
		}
	}
	if r.Field != nil && r.Field.Path != "" {
		b.WriteString(r.Field.Path + ": ")
	}
	b.WriteString(r.Message)
	return b.String()
}
