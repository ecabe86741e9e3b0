package oathkeeper

import (
	"bytes"
	"encoding/json"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"
)

// functionConfig is the APIRuleTransformer configuration every render uses.
const functionConfig = `{"apiVersion": "apirule.krm.dev/v1alpha1", "kind": "APIRuleTransformer",
  "metadata": {"name": "x"}, "spec": {"defaultDomain": "example.com"}}`

// rendered holds the objects apirule-fn generated that this test acts on.
type rendered struct {
	rules           []oryRule
	virtualServices []virtualService
}

type objectMeta struct {
	Name      string `json:"name"`
	Namespace string `json:"namespace"`
}

// oryRule is an oathkeeper.ory.sh/v1alpha1 Rule, the shape oathkeeper-maester reads.
type oryRule struct {
	Metadata objectMeta `json:"metadata"`
	Spec     struct {
		Upstream *struct {
			URL          string  `json:"url"`
			StripPath    *string `json:"stripPath"`
			PreserveHost *bool   `json:"preserveHost"`
		} `json:"upstream"`
		Match struct {
			URL     string   `json:"url"`
			Methods []string `json:"methods"`
		} `json:"match"`
		Authenticators []handler `json:"authenticators"`
		Authorizer     *handler  `json:"authorizer"`
		Mutators       []handler `json:"mutators"`
	} `json:"spec"`
}

// handler is an Oathkeeper pipeline handler; its config is passed on untouched.
type handler struct {
	Handler string          `json:"handler"`
	Config  json.RawMessage `json:"config,omitempty"`
}

// virtualService is the part of an Istio VirtualService that decides routing.
type virtualService struct {
	Metadata objectMeta `json:"metadata"`
	Spec     struct {
		Hosts []string    `json:"hosts"`
		HTTP  []httpRoute `json:"http"`
	} `json:"spec"`
}

type httpRoute struct {
	Match []struct {
		URI    *stringMatch `json:"uri"`
		Method *stringMatch `json:"method"`
	} `json:"match"`
	Route []struct {
		Destination struct {
			Host string `json:"host"`
			Port struct {
				Number int `json:"number"`
			} `json:"port"`
		} `json:"destination"`
	} `json:"route"`
	Headers *struct {
		Request *struct {
			Set map[string]string `json:"set"`
		} `json:"request"`
	} `json:"headers"`
}

// stringMatch is Istio's StringMatch; exactly one field is set.
type stringMatch struct {
	Exact  string `json:"exact"`
	Prefix string `json:"prefix"`
	Regex  string `json:"regex"`
}

// matches applies the match as Envoy does; a regex must match the whole value. A nil match
// matches anything.
func (m *stringMatch) matches(t *testing.T, value string) bool {
	switch {
	case m == nil:
		return true
	case m.Regex != "":
		re, err := regexp.Compile("^(?:" + m.Regex + ")$")
		require.NoError(t, err, "VirtualService regex %q", m.Regex)
		return re.MatchString(value)
	case m.Prefix != "":
		return strings.HasPrefix(value, m.Prefix)
	default:
		return value == m.Exact
	}
}

// render runs the apirule-fn binary as a KRM function over the given APIRules (YAML) and
// returns the Rules and VirtualServices it generated. The whole output is logged, so a run
// shows what was rendered.
func render(t *testing.T, apiRules ...string) rendered {
	t.Helper()
	defer clock.start("render")()
	out := runFunction(t, resourceList(t, apiRules))
	t.Logf("apirule-fn output:\n%s", out)

	var list struct {
		Items   []json.RawMessage `json:"items"`
		Results []struct {
			Severity string `json:"severity"`
			Message  string `json:"message"`
		} `json:"results"`
	}
	require.NoError(t, yaml.Unmarshal(out, &list), "apirule-fn must print a ResourceList")
	for _, r := range list.Results {
		require.NotEqual(t, "error", r.Severity, "apirule-fn reported: %s", r.Message)
	}
	var r rendered
	for _, item := range list.Items {
		var kind struct {
			APIVersion string `json:"apiVersion"`
			Kind       string `json:"kind"`
		}
		require.NoError(t, json.Unmarshal(item, &kind))
		switch {
		case kind.APIVersion == "oathkeeper.ory.sh/v1alpha1" && kind.Kind == "Rule":
			r.rules = append(r.rules, decode[oryRule](t, item))
		case strings.HasPrefix(kind.APIVersion, "networking.istio.io/") && kind.Kind == "VirtualService":
			r.virtualServices = append(r.virtualServices, decode[virtualService](t, item))
		}
	}
	return r
}

// resourceList builds the function's stdin, as JSON (which is YAML): the APIRules as items plus
// the function config.
func resourceList(t *testing.T, apiRules []string) []byte {
	t.Helper()
	items := make([]json.RawMessage, len(apiRules))
	for i, doc := range apiRules {
		j, err := yaml.YAMLToJSON([]byte(doc))
		require.NoError(t, err)
		items[i] = j
	}
	in, err := json.Marshal(map[string]any{
		"apiVersion":     "config.kubernetes.io/v1",
		"kind":           "ResourceList",
		"items":          items,
		"functionConfig": json.RawMessage(functionConfig),
	})
	require.NoError(t, err)
	return in
}

// runFunction executes apirule-fn with stdin and returns its stdout; a failure shows stderr.
func runFunction(t *testing.T, stdin []byte) []byte {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(env.fnBinary)
	cmd.Stdin = bytes.NewReader(stdin)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	require.NoError(t, cmd.Run(), "apirule-fn failed; stderr:\n%s", stderr.String())
	return stdout.Bytes()
}

func decode[T any](t *testing.T, item json.RawMessage) T {
	t.Helper()
	var v T
	require.NoError(t, json.Unmarshal(item, &v))
	return v
}
