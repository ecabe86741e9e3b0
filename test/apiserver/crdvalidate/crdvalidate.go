// Package crdvalidate validates objects against CustomResourceDefinitions with the code the
// Kubernetes API server runs (k8s.io/apiextensions-apiserver), so that tests can ask "would a
// cluster accept this object?" without a cluster.
//
// The pipeline follows the API server's create path for a custom resource
// (customresource_handler.go and the CR strategy), with field validation set to Strict:
//
//  1. structural pruning with unknown-field tracking: every pruned field is an error, as
//     `kubectl apply --validate=strict` reports it;
//  2. removal of null values of non-nullable fields without default, which the API server does
//     silently before defaulting;
//  3. OpenAPI v3 schema validation (types, required, patterns, lengths, ranges, enums, formats);
//  4. the CEL x-kubernetes-validations rules;
//  5. ObjectMeta validation of metadata (name, namespace, labels, annotations).
//
// status is dropped before validation: the CRDs used here enable the status subresource, and
// the API server resets status on create.
package crdvalidate

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"sort"

	apiext "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	apiextv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	structural "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/cel"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/defaulting"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/pruning"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/validation"
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/json"
	"k8s.io/apimachinery/pkg/util/validation/field"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	celconfig "k8s.io/apiserver/pkg/apis/cel"
	"sigs.k8s.io/yaml"
)

// GVK names one served version of one kind.
type GVK struct{ Group, Version, Kind string }

func (g GVK) String() string { return g.Group + "/" + g.Version + ", Kind=" + g.Kind }

// version holds the compiled validators of one served CRD version.
type version struct {
	schema     validation.SchemaValidator
	structural *structural.Structural
	cel        *cel.Validator // nil when the version has no CEL rules
	namespaced bool
}

// Set is a collection of compiled CRD versions, keyed by group, version and kind.
type Set struct{ versions map[GVK]*version }

// NewSet returns an empty Set.
func NewSet() *Set { return &Set{versions: map[GVK]*version{}} }

// AddCRDs reads a multi-document YAML stream and compiles the served versions of the
// CustomResourceDefinitions in it (documents of other kinds are skipped) for which keep returns
// true, or all of them if keep is nil. Selecting pays: the Istio CRD file holds 34 GVKs, and
// compiling all their CEL rules costs about a second. A version added twice keeps the last.
func (s *Set) AddCRDs(r io.Reader, keep func(GVK) bool) error {
	docs, err := SplitYAML(r)
	if err != nil {
		return err
	}
	for _, doc := range docs {
		var crd apiextv1.CustomResourceDefinition
		if err := yaml.Unmarshal(doc, &crd); err != nil {
			return fmt.Errorf("decoding CRD: %w", err)
		}
		if crd.Kind != "CustomResourceDefinition" {
			continue
		}
		for _, v := range crd.Spec.Versions {
			gvk := GVK{crd.Spec.Group, v.Name, crd.Spec.Names.Kind}
			if !v.Served || v.Schema == nil || v.Schema.OpenAPIV3Schema == nil || (keep != nil && !keep(gvk)) {
				continue
			}
			compiled, err := compile(v.Schema.OpenAPIV3Schema, crd.Spec.Scope == apiextv1.NamespaceScoped)
			if err != nil {
				return fmt.Errorf("%s: %w", gvk, err)
			}
			s.versions[gvk] = compiled
		}
	}
	return nil
}

func compile(v1schema *apiextv1.JSONSchemaProps, namespaced bool) (*version, error) {
	var internal apiext.JSONSchemaProps
	if err := apiextv1.Convert_v1_JSONSchemaProps_To_apiextensions_JSONSchemaProps(v1schema, &internal, nil); err != nil {
		return nil, err
	}
	sv, _, err := validation.NewSchemaValidator(&internal)
	if err != nil {
		return nil, err
	}
	ss, err := structural.NewStructural(&internal)
	if err != nil {
		return nil, err
	}
	return &version{
		schema:     sv,
		structural: ss,
		cel:        cel.NewValidator(ss, true, celconfig.PerCallLimit),
		namespaced: namespaced,
	}, nil
}

// Has reports whether the Set knows the group/version/kind.
func (s *Set) Has(g GVK) bool { return s.versions[g] != nil }

// ErrUnknownGVK is returned by Validate for a kind the Set has no CRD for.
var ErrUnknownGVK = errors.New("no CRD for this group/version/kind")

// Validate runs the API server's create-time validation of obj (a JSON-like object as produced
// by DecodeJSON: integers are int64) against the CRD of its apiVersion and kind. obj is not
// modified. It returns every error the API server would report, each rendered as
// "path: detail" by field.Error.
func (s *Set) Validate(obj map[string]any) (field.ErrorList, error) {
	u := runtime.DeepCopyJSON(obj)
	gvk, err := gvkOf(u)
	if err != nil {
		return nil, err
	}
	v := s.versions[gvk]
	if v == nil {
		return nil, fmt.Errorf("%s: %w", gvk, ErrUnknownGVK)
	}
	delete(u, "status")

	var errs field.ErrorList
	unknown := pruning.PruneWithOptions(u, v.structural, true,
		structural.UnknownFieldPathOptions{TrackUnknownFieldPaths: true})
	for _, p := range unknown {
		errs = append(errs, field.Invalid(field.NewPath(p), nil, "unknown field"))
	}
	defaulting.PruneNonNullableNullsWithoutDefaults(u, v.structural)

	errs = append(errs, validation.ValidateCustomResource(nil, u, v.schema)...)
	if v.cel != nil {
		celErrs, _ := v.cel.Validate(context.Background(), nil, v.structural, u, nil, celconfig.RuntimeCELCostBudget)
		errs = append(errs, celErrs...)
	}
	errs = append(errs, validateMeta(u, v.namespaced)...)
	sort.SliceStable(errs, func(i, j int) bool { return errs[i].Field < errs[j].Field })
	return errs, nil
}

// validateMeta runs apimachinery's ObjectMeta validation, as the API server does for every
// custom resource (names are DNS-1123 subdomains for custom resources).
func validateMeta(u map[string]any, namespaced bool) field.ErrorList {
	raw, _ := u["metadata"].(map[string]any)
	var meta metav1.ObjectMeta
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(raw, &meta); err != nil {
		return field.ErrorList{field.Invalid(field.NewPath("metadata"), raw, err.Error())}
	}
	return apivalidation.ValidateObjectMeta(&meta, namespaced, apivalidation.NameIsDNSSubdomain, field.NewPath("metadata"))
}

func gvkOf(u map[string]any) (GVK, error) {
	apiVersion, _ := u["apiVersion"].(string)
	kind, _ := u["kind"].(string)
	group, ver := "", apiVersion
	for i := len(apiVersion) - 1; i >= 0; i-- {
		if apiVersion[i] == '/' {
			group, ver = apiVersion[:i], apiVersion[i+1:]
			break
		}
	}
	if ver == "" || kind == "" {
		return GVK{}, fmt.Errorf("object without apiVersion or kind: %q %q", apiVersion, kind)
	}
	return GVK{group, ver, kind}, nil
}

// DecodeJSON turns one YAML or JSON document into the JSON-like map the API server works on:
// integers become int64, other numbers float64 (k8s.io/apimachinery/pkg/util/json).
func DecodeJSON(doc []byte) (map[string]any, error) {
	j, err := yaml.YAMLToJSON(doc)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(j, &m); err != nil {
		return nil, err
	}
	return m, nil
}

// SplitYAML splits a multi-document YAML stream into its non-empty documents.
func SplitYAML(r io.Reader) ([][]byte, error) {
	reader := utilyaml.NewYAMLReader(bufio.NewReader(r))
	var docs [][]byte
	for {
		doc, err := reader.Read()
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return nil, err
		}
		var probe any
		if err := yaml.Unmarshal(doc, &probe); err != nil {
			return nil, err
		}
		if probe != nil {
			docs = append(docs, doc)
		}
	}
}
