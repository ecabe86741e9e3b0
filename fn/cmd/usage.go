package cmd

import "github.com/apirule-krm/apirule-fn/fn/config"

// usage is the --help text; the config keys come from fn/config, their one source.
var usage = `apirule-fn renders Kyma APIRules (gateway.kyma-project.io v1alpha1, v1beta1, v2alpha1, v2)
into the Istio VirtualService, AuthorizationPolicy, RequestAuthentication and Oathkeeper Rule
objects the Kyma API Gateway controller would create, at render time.

Usage:
  apirule-fn                          KRM function: ResourceList on stdin, ResourceList on stdout
                                      (kustomize transformers, kpt pipelines, kpt fn eval --exec);
                                      plain multi-document YAML on stdin is read as items and
                                      written back as a stream
  apirule-fn CONFIG.yaml [FILE...]    standalone: the function config (an empty file: defaults)
                                      and resource files ("-" or none: stdin); prints the input
                                      and the rendered objects as a YAML stream. In a plain stream
                                      on stdin, an APIRuleTransformer document is the config
  apirule-fn migrate [CONFIG] FILE...
                                      rewrite v1alpha1/v1beta1 APIRules as v2 where their meaning
                                      is kept (mode: migrate) and print the files' objects; each
                                      field that blocks an APIRule is a warning on stderr. CONFIG
                                      is any APIRuleTransformer document among the files
  apirule-fn --schema                 print the OpenAPI schema of the function config
  apirule-fn --version                print the version
  apirule-fn --help                   this text

Flags, before CONFIG.yaml (standalone and stream mode):
  --generated-only    print only the generated objects (no APIRules, no input objects):
                      apirule-fn --generated-only config.yaml apirules.yaml | kubectl apply -f -
  --output-on-error   print the objects even when an error is reported (by default an error
                      prints nothing on stdout, so a pipe into kubectl apply applies nothing)
  -v, --verbose       print every result on stderr, the infos too: one per APIRule listing the
                      objects it produced (kpt shows them among the results anyway)

Generated objects carry the annotations apirule.krm.dev/generated-from: <namespace>/<name> of
their APIRule and apirule.krm.dev/digest of their content; every run replaces the objects whose
digest proves them generated, so running again is safe. An edited or hand-written object with
the annotation is kept and fails the run, naming it.

Function config (apiVersion: apirule.krm.dev/v1alpha1, kind: APIRuleTransformer, keys under
spec; or a v1 ConfigMap with the same keys under data; none: all defaults):
` + config.Help() + `
The input stands in for the cluster: its Services, Gateways, VirtualServices and the
kyma-system/api-gateway-config and istio-system/istio ConfigMaps are read (mark them
config.kubernetes.io/local-config to keep them out of the output). The Services in the input
are taken as all there are, and so are its Gateways; only when the input has no Service (no
Gateway) at all is a missing one assumed, with a warning, and never when strict is true.

Examples:
  kustomize build --enable-alpha-plugins --enable-exec DIR
      a kustomization whose transformers: config declares exec: {path: apirule-fn}. Without
      --enable-exec kustomize skips the function silently: the APIRules come out unrendered
  kpt fn render --allow-exec DIR      a Kptfile mutator "exec: apirule-fn"
  kpt fn eval DIR --exec apirule-fn -- defaultDomain=example.com
  apirule-fn config.yaml apirules.yaml services.yaml > rendered.yaml
  kpt fn eval DIR --exec apirule-fn -- mode=migrate
      rewrite the package's APIRules as v2 in place (issuers={"<jwks url>": "<issuer>"} where
      an Oathkeeper jwt config has no single trusted issuer)

Exit status: 0 on success (warnings allowed), 1 when any error is reported (one line per error
on stderr), 2 on a usage error.
`
