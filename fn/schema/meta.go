package schema

import (
	"regexp"
	"strconv"
)

// dnsName is a name format the API server enforces on object metadata, with its messages
// (k8s.io/apimachinery/pkg/util/validation).
type dnsName struct {
	max     int
	re      *regexp.Regexp
	message string
}

var (
	// dnsSubdomain is the format of a custom resource's metadata.name.
	dnsSubdomain = dnsName{253, regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`),
		"a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"}
	// dnsLabel is the format of metadata.namespace.
	dnsLabel = dnsName{63, regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`),
		"a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"}
)

// metadata checks that metadata.name and metadata.namespace are present and well-formed.
// The rest of metadata is not the APIRule schema's business (and not the function's).
func (w *walker) metadata(v any) {
	m, ok := v.(map[string]any)
	if v != nil && !ok {
		w.invalid("metadata", jsonType(v), "must be of type object: "+strconv.Quote(jsonType(v)))
		return
	}
	w.name(m, "name", dnsSubdomain)
	w.name(m, "namespace", dnsLabel)
}

func (w *walker) name(meta map[string]any, key string, format dnsName) {
	path := "metadata." + key
	v := meta[key]
	if v == nil || v == "" {
		w.add(path, "Required value")
		return
	}
	s, ok := v.(string)
	if !ok {
		w.invalid(path, jsonType(v), "must be of type string: "+strconv.Quote(jsonType(v)))
		return
	}
	if len(s) > format.max {
		w.add(path, "Invalid value: "+quote(s)+": must be no more than "+strconv.Itoa(format.max)+" characters")
	}
	if !format.re.MatchString(s) {
		w.add(path, "Invalid value: "+quote(s)+": "+format.message)
	}
}
