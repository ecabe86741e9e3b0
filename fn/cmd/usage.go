package cmd

const usage = `apirule-fn renders Kyma APIRules (gateway.kyma-project.io v1alpha1, v1beta1, v2alpha1, v2)
into the Istio VirtualService, AuthorizationPolicy, RequestAuthentication and Oathkeeper Rule
objects the Kyma API Gateway controller would create, at render time.

Usage:
  apirule-fn                          KRM function: a ResourceList on stdin, a ResourceList on stdout
                                      (kustomize transformers, kpt pipelines, kpt fn eval --exec);
                                      plain multi-document YAML on stdin is read as items and
                                      written back as a stream
  apirule-fn CONFIG.yaml [FILE...]    standalone: the function config and resource files ("-" or
                                      none: stdin); prints the rendered objects as a YAML stream
  apirule-fn --schema                 print the OpenAPI schema of the function config
  apirule-fn --version                print the version
  apirule-fn --help                   this text

Function config (apiVersion: apirule.krm.dev/v1alpha1, kind: APIRuleTransformer, keys under
spec; or a v1 ConfigMap with the same keys under data):
  jwtHandler          ory | istio. How v1alpha1/v1beta1 jwt rules are enforced.
                      Default: the kyma-system/api-gateway-config ConfigMap in the input, else ory.
  defaultDomain       Domain of short v1alpha1/v1beta1 hosts (and of v2 short hosts when no
                      Gateway is in the input). Default: the kyma-system/kyma-gateway Gateway's
                      HTTPS host in the input, else none.
  oathkeeperProxy     host:port of the Oathkeeper proxy.
                      Default: ory-oathkeeper-proxy.kyma-system.svc.cluster.local:4455
  defaultCorsPolicy   {allowOrigins: ["regex:.*"], allowMethods: [...], allowHeaders: [...]}:
                      CORS of v1alpha1/v1beta1 routes without corsPolicy. Default: the module's
                      regex:.*, GET POST PUT DELETE PATCH, Authorization Content-Type *.
  istioAPIVersion     v1 | v1beta1. Version of the Istio APIs written. Default: v1.
  serviceSelectors    {"<ns>/<name>": {label: value}}: selectors of Services not in the input.
  selectorLabel       Label assumed as the selector of a Service nowhere to be found
                      ({<label>: <service name>}). Default: app.
  gateways            {"<ns>/<name>": "<domain>"}: Gateways not in the input.
  extAuthProviders    [names]: envoyExtAuthzHttp providers when the istio-system/istio
                      ConfigMap is not in the input.
  strict              true: never assume a Service or Gateway that is not in the input.
                      Default: false.
  apiRules            local | keep. local marks APIRules config.kubernetes.io/local-config so
                      kustomize build drops them and kpt live apply skips them. Default: local.
  mode                render | validate. validate reports results only. Default: render.
  maxInputBytes       Default 67108864 (64 MiB). On stdin the config can only lower it; raise it
                      with the environment variable APIRULE_FN_MAX_INPUT_BYTES.
  maxItems            Default 100000.
  maxDepth            Nesting depth inside an APIRule or the config. Default 64.
  maxScalarBytes      Default 1048576 (1 MiB).
  maxRulesPerAPIRule  Default 1000.

Exit status: 0 on success (warnings allowed), 1 when any error is reported (one line per error
on stderr), 2 on a usage error.
`
