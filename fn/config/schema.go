package config

// Schema returns the function config's schema as a KRMFunctionDefinition
// (config.kubernetes.io/v1alpha1), the format kpt and kyaml use to publish function
// config schemas.
func Schema() string { return schemaYAML }

const schemaYAML = `apiVersion: config.kubernetes.io/v1alpha1
kind: KRMFunctionDefinition
metadata:
  name: apiruletransformers.apirule.krm.dev
spec:
  group: apirule.krm.dev
  names:
    kind: APIRuleTransformer
  description: Renders Kyma APIRules into Istio and Oathkeeper objects at render time.
  versions:
  - name: v1alpha1
    schema:
      openAPIV3Schema:
        type: object
        properties:
          apiVersion:
            type: string
          kind:
            type: string
          metadata:
            type: object
          spec:
            type: object
            additionalProperties: false
            properties:
              jwtHandler:
                type: string
                enum: [ory, istio]
                description: How v1alpha1/v1beta1 jwt rules are enforced. Default - the kyma-system/api-gateway-config ConfigMap in the input, else ory.
              defaultDomain:
                type: string
                description: Domain of short v1alpha1/v1beta1 hosts (and of v2 short hosts when the input has no Gateway and gateways does not name theirs). Default - gateways["kyma-system/kyma-gateway"], else the "*." host of the HTTPS server of the kyma-system/kyma-gateway Gateway in the input.
              oathkeeperProxy:
                type: string
                default: ory-oathkeeper-proxy.kyma-system.svc.cluster.local:4455
                description: host:port of the Oathkeeper proxy that secured v1alpha1/v1beta1 routes go to.
              defaultCorsPolicy:
                type: object
                additionalProperties: false
                description: CORS policy of v1alpha1/v1beta1 routes whose APIRule has none.
                properties:
                  allowOrigins:
                    type: array
                    items:
                      type: string
                      pattern: '^(regex|prefix|exact):'
                    default: ['regex:.*']
                  allowMethods:
                    type: array
                    items:
                      type: string
                    default: [GET, POST, PUT, DELETE, PATCH]
                  allowHeaders:
                    type: array
                    items:
                      type: string
                    default: [Authorization, Content-Type, '*']
              istioAPIVersion:
                type: string
                enum: [v1, v1beta1]
                default: v1
              serviceSelectors:
                type: object
                description: Selectors of Services not in the input, keyed <namespace>/<name>.
                additionalProperties:
                  type: object
                  additionalProperties:
                    type: string
              selectorLabel:
                type: string
                default: app
                description: Label assumed as the selector of a Service that is nowhere to be found.
              gateways:
                type: object
                description: Gateways not in the input, keyed <namespace>/<name>, with their domain.
                additionalProperties:
                  type: string
              extAuthProviders:
                type: array
                description: envoyExtAuthzHttp extension providers when the istio-system/istio ConfigMap is not in the input.
                items:
                  type: string
              strict:
                type: boolean
                default: false
                description: Never assume a Service or Gateway that is not in the input.
              apiRules:
                type: string
                enum: [local, keep]
                default: local
              mode:
                type: string
                enum: [render, validate]
                default: render
              maxInputBytes:
                type: integer
                minimum: 1
                description: Lowers the input size limit. The reader's limit (64 MiB, or the environment variable APIRULE_FN_MAX_INPUT_BYTES) applies anyway, because on stdin the config arrives inside the input.
              maxItems:
                type: integer
                minimum: 1
                default: 100000
              maxDepth:
                type: integer
                minimum: 1
                default: 64
              maxScalarBytes:
                type: integer
                minimum: 1
                default: 1048576
              maxRulesPerAPIRule:
                type: integer
                minimum: 1
                default: 1000
`
