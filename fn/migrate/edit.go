package migrate

import (
	"fmt"
	"slices"
	"strconv"

	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/apirule-krm/apirule-fn/fn/apirule"
	"github.com/apirule-krm/apirule-fn/fn/object"
)

// rewrite turns the APIRule node into v2 in place, keeping every node whose
// meaning stays (metadata, service, methods, timeouts and their comments): host
// becomes hosts, the gateway and paths get their new values, and each rule's
// accessStrategies and mutators give way to noAuth or jwt and request, which take
// over the comments of accessStrategies.
func rewrite(n *yaml.Node, v2 *apirule.V2APIRule) error {
	if err := setScalar(n, "apiVersion", v2.APIVersion); err != nil {
		return err
	}
	spec := value(n, "spec")
	if spec == nil || spec.Kind != yaml.MappingNode {
		return fmt.Errorf("spec is not a mapping")
	}
	s := v2.Spec
	if svc := value(spec, "service"); svc != nil {
		del(svc, "host") // v1alpha1 kept the host in the service
	}
	hosts := object.Strs(s.Hosts)
	if i := keyIndex(spec, "host"); i >= 0 {
		spec.Content[i].Value, spec.Content[i+1] = "hosts", hosts
	} else {
		spec.Content = append([]*yaml.Node{object.Str("hosts"), hosts}, spec.Content...)
	}
	if s.Gateway != nil {
		if err := setScalar(spec, "gateway", *s.Gateway); err != nil {
			return err
		}
	}
	if s.CorsPolicy != nil {
		cors := value(spec, "corsPolicy")
		if cors == nil {
			spec.Content = append(spec.Content, object.Str("corsPolicy"), corsNode(s.CorsPolicy))
		} else if s.CorsPolicy.MaxAge != nil {
			if i := keyIndex(cors, "maxAge"); i >= 0 {
				cors.Content[i+1] = object.Int(*s.CorsPolicy.MaxAge)
			}
		} else {
			del(cors, "maxAge")
		}
	}
	rules := value(spec, "rules")
	if rules == nil || rules.Kind != yaml.SequenceNode || len(rules.Content) != len(s.Rules) {
		// Rules from elsewhere (a v2alpha1-rules annotation): written afresh.
		seq := object.Seq()
		for _, r := range s.Rules {
			seq.Content = append(seq.Content, ruleNode(r))
		}
		if i := keyIndex(spec, "rules"); i >= 0 {
			spec.Content[i+1] = seq
		} else {
			spec.Content = append(spec.Content, object.Str("rules"), seq)
		}
		return nil
	}
	for i, r := range s.Rules {
		rewriteRule(rules.Content[i], r)
	}
	return nil
}

// rewriteRule edits one rule node in place.
func rewriteRule(n *yaml.Node, r apirule.V2Rule) {
	if i := keyIndex(n, "path"); i >= 0 {
		n.Content[i+1].Value = r.Path
		n.Content[i+1].Style = 0
	}
	at := keyIndex(n, "accessStrategies")
	var comment *yaml.Node
	if at >= 0 {
		comment = n.Content[at]
	}
	del(n, "accessStrategies")
	del(n, "mutators")
	if at < 0 || at > len(n.Content) {
		at = len(n.Content)
	}
	added := accessNodes(r)
	if comment != nil && len(added) > 0 {
		added[0].HeadComment, added[0].LineComment, added[0].FootComment = comment.HeadComment, comment.LineComment, comment.FootComment
	}
	n.Content = slices.Insert(n.Content, at, added...)
}

// accessNodes are the keys and values of a rule's access and request settings.
func accessNodes(r apirule.V2Rule) []*yaml.Node {
	var out []*yaml.Node
	switch {
	case r.NoAuth != nil:
		out = append(out, object.Str("noAuth"), &yaml.Node{Kind: yaml.ScalarNode, Tag: yaml.NodeTagBool, Value: strconv.FormatBool(*r.NoAuth)})
	case r.JWT != nil:
		out = append(out, object.Str("jwt"), jwtNode(r.JWT))
	case r.ExtAuth != nil:
		ext := object.Pairs("authorizers", object.Strs(r.ExtAuth.Authorizers))
		if r.ExtAuth.Restrictions != nil {
			ext.Content = append(ext.Content, object.Str("restrictions"), jwtNode(r.ExtAuth.Restrictions))
		}
		out = append(out, object.Str("extAuth"), ext)
	}
	if r.Request != nil && (len(r.Request.Headers) > 0 || len(r.Request.Cookies) > 0) {
		req := object.Map()
		if len(r.Request.Headers) > 0 {
			req.Content = append(req.Content, object.Str("headers"), object.SortedMap(r.Request.Headers, object.Str))
		}
		if len(r.Request.Cookies) > 0 {
			req.Content = append(req.Content, object.Str("cookies"), object.SortedMap(r.Request.Cookies, object.Str))
		}
		out = append(out, object.Str("request"), req)
	}
	return out
}

// ruleNode writes a whole v2 rule.
func ruleNode(r apirule.V2Rule) *yaml.Node {
	n := object.Pairs("path", r.Path, "methods", object.Strs(r.Methods))
	if r.Service != nil {
		n.Content = append(n.Content, object.Str("service"), serviceNode(r.Service))
	}
	if r.Timeout != nil {
		n.Content = append(n.Content, object.Str("timeout"), object.Int(*r.Timeout))
	}
	n.Content = append(n.Content, accessNodes(r)...)
	return n
}

func serviceNode(s *apirule.Service) *yaml.Node {
	n := object.Map()
	if s.Name != nil {
		n.Content = append(n.Content, object.Str("name"), object.Str(*s.Name))
	}
	if s.Namespace != nil {
		n.Content = append(n.Content, object.Str("namespace"), object.Str(*s.Namespace))
	}
	if s.Port != nil {
		n.Content = append(n.Content, object.Str("port"), object.Int(int64(*s.Port)))
	}
	return n
}

func jwtNode(j *apirule.JWT) *yaml.Node {
	authn := object.Seq()
	for _, a := range j.Authentications {
		an := object.Pairs("issuer", a.Issuer, "jwksUri", a.JwksURI)
		if len(a.FromHeaders) > 0 {
			hs := object.Seq()
			for _, h := range a.FromHeaders {
				hn := object.Pairs("name", h.Name)
				if h.Prefix != "" {
					hn.Content = append(hn.Content, object.Str("prefix"), object.Str(h.Prefix))
				}
				hs.Content = append(hs.Content, hn)
			}
			an.Content = append(an.Content, object.Str("fromHeaders"), hs)
		}
		if len(a.FromParams) > 0 {
			an.Content = append(an.Content, object.Str("fromParams"), object.Strs(a.FromParams))
		}
		authn.Content = append(authn.Content, an)
	}
	n := object.Pairs("authentications", authn)
	if len(j.Authorizations) > 0 {
		authz := object.Seq()
		for _, a := range j.Authorizations {
			an := object.Map()
			if a.RequiredScopes != nil {
				an.Content = append(an.Content, object.Str("requiredScopes"), object.Strs(a.RequiredScopes))
			}
			if a.Audiences != nil {
				an.Content = append(an.Content, object.Str("audiences"), object.Strs(a.Audiences))
			}
			authz.Content = append(authz.Content, an)
		}
		n.Content = append(n.Content, object.Str("authorizations"), authz)
	}
	return n
}

func corsNode(p *apirule.V2CorsPolicy) *yaml.Node {
	n := object.Map()
	add := func(k string, v []string) {
		if len(v) > 0 {
			n.Content = append(n.Content, object.Str(k), object.Strs(v))
		}
	}
	origins := object.Seq()
	for _, o := range p.AllowOrigins {
		origins.Content = append(origins.Content, object.SortedMap(o, object.Str))
	}
	n.Content = append(n.Content, object.Str("allowOrigins"), origins)
	add("allowMethods", p.AllowMethods)
	add("allowHeaders", p.AllowHeaders)
	add("exposeHeaders", p.ExposeHeaders)
	if p.AllowCredentials != nil {
		n.Content = append(n.Content, object.Str("allowCredentials"), &yaml.Node{Kind: yaml.ScalarNode, Tag: yaml.NodeTagBool, Value: strconv.FormatBool(*p.AllowCredentials)})
	}
	if p.MaxAge != nil {
		n.Content = append(n.Content, object.Str("maxAge"), object.Int(*p.MaxAge))
	}
	return n
}

func keyIndex(m *yaml.Node, key string) int {
	if m == nil || m.Kind != yaml.MappingNode {
		return -1
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return i
		}
	}
	return -1
}

func value(m *yaml.Node, key string) *yaml.Node {
	if i := keyIndex(m, key); i >= 0 {
		return m.Content[i+1]
	}
	return nil
}

func del(m *yaml.Node, key string) {
	if i := keyIndex(m, key); i >= 0 {
		m.Content = slices.Delete(m.Content, i, i+2)
	}
}

func setScalar(m *yaml.Node, key, v string) error {
	i := keyIndex(m, key)
	if i < 0 {
		return fmt.Errorf("%s is missing", key)
	}
	m.Content[i+1].Value, m.Content[i+1].Style = v, 0
	m.Content[i+1].Tag = yaml.NodeTagString
	return nil
}
