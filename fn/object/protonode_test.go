package object_test

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/dynamicpb"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/wrapperspb"
	networking "istio.io/api/networking/v1"
	security "istio.io/api/security/v1"
	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/apirule-krm/apirule-fn/fn/apirule"
	"github.com/apirule-krm/apirule-fn/fn/kinds/authorizationpolicy"
	"github.com/apirule-krm/apirule-fn/fn/kinds/requestauthentication"
	"github.com/apirule-krm/apirule-fn/fn/kinds/virtualservice"
	"github.com/apirule-krm/apirule-fn/fn/object"
)

// protojsonValue is what protojson makes of m, decoded into plain JSON values.
func protojsonValue(t *testing.T, m proto.Message) any {
	t.Helper()
	b, err := protojson.Marshal(m)
	require.NoError(t, err)
	var v any
	require.NoError(t, json.Unmarshal(b, &v))
	return v
}

// nodeValue is what ProtoNode makes of m, as plain JSON values.
func nodeValue(t *testing.T, m proto.Message) any {
	t.Helper()
	b, err := yaml.NewRNode(object.ProtoNode(m.ProtoReflect())).MarshalJSON()
	require.NoError(t, err)
	var v any
	require.NoError(t, json.Unmarshal(b, &v))
	return v
}

// TestProtoNodeScalarsMatchProtojson compares the exact text of well-known scalar
// types with protojson's: the two must agree byte for byte, because the output is
// compared with what the controller's client (jsonpb, same rules) wrote.
func TestProtoNodeScalarsMatchProtojson(t *testing.T) {
	tests := map[string]proto.Message{
		"bool":                 wrapperspb.Bool(true),
		"string":               wrapperspb.String("a: b"),
		"int32":                wrapperspb.Int32(-7),
		"uint32":               wrapperspb.UInt32(math.MaxUint32),
		"int64 as a string":    wrapperspb.Int64(math.MinInt64),
		"uint64 as a string":   wrapperspb.UInt64(math.MaxUint64),
		"bytes as base64":      wrapperspb.Bytes([]byte{0, 1, 0xfe, 0xff}),
		"empty bytes":          wrapperspb.Bytes(nil),
		"double":               wrapperspb.Double(0.1),
		"double, whole":        wrapperspb.Double(1e6),
		"double, tiny":         wrapperspb.Double(1e-7),
		"double, huge":         wrapperspb.Double(1e21),
		"double, NaN":          wrapperspb.Double(math.NaN()),
		"double, -Inf":         wrapperspb.Double(math.Inf(-1)),
		"float":                wrapperspb.Float(0.1),
		"float, huge":          wrapperspb.Float(3e38),
		"duration, seconds":    durationpb.New(180 * time.Second),
		"duration, zero":       durationpb.New(0),
		"duration, millis":     durationpb.New(1500 * time.Millisecond),
		"duration, micros":     durationpb.New(time.Microsecond),
		"duration, nanos":      durationpb.New(time.Nanosecond),
		"duration, negative":   durationpb.New(-2500 * time.Millisecond),
		"duration, below zero": durationpb.New(-time.Millisecond),
	}
	for name, m := range tests {
		t.Run(name, func(t *testing.T) {
			want, err := protojson.Marshal(m)
			require.NoError(t, err)
			n := object.ProtoNode(m.ProtoReflect())
			require.Equal(t, yaml.ScalarNode, n.Kind, "a wrapper is written as its bare value, not as {value: ...}")
			got := n.Value
			if n.Tag == yaml.NodeTagString {
				b, err := json.Marshal(got)
				require.NoError(t, err)
				got = string(b)
			}
			assert.Equal(t, string(want), got)
		})
	}
}

// TestProtoNodeSpecsMatchProtojson compares whole specs as the builders make them.
func TestProtoNodeSpecsMatchProtojson(t *testing.T) {
	cors := virtualservice.NewCORSPolicy(virtualservice.CORSPolicy{
		AllowOrigins:     []virtualservice.Origin{{"regex": ".*"}, {"exact": "https://a.example.com"}},
		AllowMethods:     []string{"GET"},
		AllowCredentials: proto.Bool(false),
		MaxAge:           1500 * time.Millisecond,
	})
	tests := map[string]proto.Message{
		"VirtualService": virtualservice.New([]string{"a.example.com"}, []string{"kyma-system/kyma-gateway"}, []virtualservice.Route{{
			Methods: []string{"GET", "POST"}, URIRegex: "/.*", DestinationHost: "s.ns.svc.cluster.local", DestinationPort: 80,
			Timeout: 180 * time.Second, SetHeaders: []virtualservice.Header{{Name: "x-forwarded-host", Value: "a.example.com"}},
			RemoveCORSHeaders: true, CORS: cors,
		}, {URIPrefix: "/", DestinationHost: "t.ns.svc.cluster.local", DestinationPort: 8080}}),
		"AuthorizationPolicy, ALLOW": authorizationpolicy.New(authorizationpolicy.Policy{
			Selector: map[string]string{"app": "a"}, Hosts: []string{"a.example.com"}, Methods: []string{"GET"}, Paths: []string{"/*"},
			Principals: []string{authorizationpolicy.IngressGatewayPrincipal}, RequestPrincipals: []string{"https://issuer/*"},
			RequiredScopes: []string{"read"}, Audiences: []string{"aud"},
		}),
		"AuthorizationPolicy, CUSTOM": authorizationpolicy.New(authorizationpolicy.Policy{Provider: "oauth2-proxy", Paths: []string{"/a"}}),
		"RequestAuthentication": requestauthentication.New(map[string]string{"app": "a"}, []*apirule.JWTAuthentication{{
			Issuer: "https://issuer", JwksURI: "https://issuer/jwks", FromHeaders: []*apirule.FromHeader{{Name: "x-token", Prefix: "Bearer "}},
		}}),
		"every kind of field": everyKind(t),
	}
	for name, m := range tests {
		t.Run(name, func(t *testing.T) {
			assert.Equal(t, protojsonValue(t, m), nodeValue(t, m))
		})
	}
}

// everyKind is a dynamic message with a field of every scalar kind, a repeated, a map,
// an enum, a nested message and the wrapper types, all set.
func everyKind(t *testing.T) proto.Message {
	t.Helper()
	opt := descriptorpb.FieldDescriptorProto_LABEL_OPTIONAL.Enum()
	rep := descriptorpb.FieldDescriptorProto_LABEL_REPEATED.Enum()
	var fields []*descriptorpb.FieldDescriptorProto
	add := func(name string, typ descriptorpb.FieldDescriptorProto_Type, label *descriptorpb.FieldDescriptorProto_Label, typeName string) {
		f := &descriptorpb.FieldDescriptorProto{Name: proto.String(name), Number: proto.Int32(int32(len(fields) + 1)), Type: typ.Enum(), Label: label}
		if typeName != "" {
			f.TypeName = proto.String(typeName)
		}
		fields = append(fields, f)
	}
	T := descriptorpb.FieldDescriptorProto_Type_value
	for _, k := range []string{"DOUBLE", "FLOAT", "INT64", "UINT64", "INT32", "FIXED64", "FIXED32", "BOOL", "STRING", "BYTES", "UINT32", "SFIXED32", "SFIXED64", "SINT32", "SINT64"} {
		add("f_"+strings.ToLower(k), descriptorpb.FieldDescriptorProto_Type(T["TYPE_"+k]), opt, "")
	}
	add("repeated_int64", descriptorpb.FieldDescriptorProto_TYPE_INT64, rep, "")
	add("kind", descriptorpb.FieldDescriptorProto_TYPE_ENUM, opt, ".t.Kind")
	add("child", descriptorpb.FieldDescriptorProto_TYPE_MESSAGE, opt, ".t.M")
	add("labels", descriptorpb.FieldDescriptorProto_TYPE_MESSAGE, rep, ".t.M.LabelsEntry")
	for _, w := range []string{"Int64Value", "UInt64Value", "BytesValue", "FloatValue", "DoubleValue", "Int32Value"} {
		add("w_"+strings.ToLower(w), descriptorpb.FieldDescriptorProto_TYPE_MESSAGE, opt, ".google.protobuf."+w)
	}
	add("timeout", descriptorpb.FieldDescriptorProto_TYPE_MESSAGE, opt, ".google.protobuf.Duration")
	file := &descriptorpb.FileDescriptorProto{
		Name: proto.String("t.proto"), Package: proto.String("t"), Syntax: proto.String("proto3"),
		Dependency: []string{"google/protobuf/wrappers.proto", "google/protobuf/duration.proto"},
		EnumType: []*descriptorpb.EnumDescriptorProto{{Name: proto.String("Kind"), Value: []*descriptorpb.EnumValueDescriptorProto{
			{Name: proto.String("NONE"), Number: proto.Int32(0)}, {Name: proto.String("SOME"), Number: proto.Int32(1)},
		}}},
		MessageType: []*descriptorpb.DescriptorProto{{Name: proto.String("M"), Field: fields, NestedType: []*descriptorpb.DescriptorProto{{
			Name: proto.String("LabelsEntry"), Options: &descriptorpb.MessageOptions{MapEntry: proto.Bool(true)},
			Field: []*descriptorpb.FieldDescriptorProto{
				{Name: proto.String("key"), Number: proto.Int32(1), Type: descriptorpb.FieldDescriptorProto_TYPE_STRING.Enum(), Label: opt},
				{Name: proto.String("value"), Number: proto.Int32(2), Type: descriptorpb.FieldDescriptorProto_TYPE_SINT64.Enum(), Label: opt},
			},
		}}}},
	}
	fd, err := protodesc.NewFile(file, protoregistry.GlobalFiles)
	require.NoError(t, err)
	md := fd.Messages().ByName("M")
	var fill func(m *dynamicpb.Message, depth int)
	fill = func(m *dynamicpb.Message, depth int) {
		fs := md.Fields()
		for i := 0; i < fs.Len(); i++ {
			f := fs.Get(i)
			var v protoreflect.Value
			switch {
			case f.IsMap():
				mp := m.Mutable(f).Map()
				mp.Set(protoreflect.ValueOfString("b").MapKey(), protoreflect.ValueOfInt64(-2))
				mp.Set(protoreflect.ValueOfString("a").MapKey(), protoreflect.ValueOfInt64(1<<40))
				continue
			case f.IsList():
				l := m.Mutable(f).List()
				l.Append(protoreflect.ValueOfInt64(math.MaxInt64))
				l.Append(protoreflect.ValueOfInt64(-1))
				continue
			case f.Kind() == protoreflect.EnumKind:
				v = protoreflect.ValueOfEnum(1)
			case f.Kind() == protoreflect.MessageKind && f.Message().FullName() == md.FullName():
				if depth > 0 {
					continue
				}
				child := dynamicpb.NewMessage(md)
				fill(child, depth+1)
				v = protoreflect.ValueOfMessage(child)
			case f.Kind() == protoreflect.MessageKind:
				wm, err := protoregistry.GlobalTypes.FindMessageByName(f.Message().FullName())
				require.NoError(t, err)
				w := wm.New()
				vf := f.Message().Fields().ByNumber(1)
				if f.Message().FullName() == "google.protobuf.Duration" {
					w.Set(vf, protoreflect.ValueOfInt64(3))
					w.Set(f.Message().Fields().ByNumber(2), protoreflect.ValueOfInt32(250_000_000))
				} else {
					w.Set(vf, scalar(vf.Kind()))
				}
				v = protoreflect.ValueOfMessage(w)
			default:
				v = scalar(f.Kind())
			}
			m.Set(f, v)
		}
	}
	m := dynamicpb.NewMessage(md)
	fill(m, 0)
	return m
}

// scalar is a non-zero value of a scalar kind, chosen to expose formatting
// differences (64-bit values beyond float precision, non-UTF-8 bytes, fractions).
func scalar(k protoreflect.Kind) protoreflect.Value {
	switch k {
	case protoreflect.DoubleKind:
		return protoreflect.ValueOfFloat64(2.5e-7)
	case protoreflect.FloatKind:
		return protoreflect.ValueOfFloat32(1.1)
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		return protoreflect.ValueOfInt64(-9007199254740993)
	case protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		return protoreflect.ValueOfUint64(18446744073709551615)
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
		return protoreflect.ValueOfInt32(-5)
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind:
		return protoreflect.ValueOfUint32(4000000000)
	case protoreflect.BoolKind:
		return protoreflect.ValueOfBool(true)
	case protoreflect.StringKind:
		return protoreflect.ValueOfString("yes")
	case protoreflect.BytesKind:
		return protoreflect.ValueOfBytes([]byte{0xff, 0, 'a'})
	}
	panic(k)
}

// TestProtoNodeWellKnownTypes: ProtoNode writes Duration and the wrappers as protojson
// does and nothing else special; a spec kind that reaches another well-known type
// (Struct, Any, Timestamp, ...) must teach ProtoNode that type first.
func TestProtoNodeWellKnownTypes(t *testing.T) {
	handled := map[protoreflect.FullName]bool{"google.protobuf.Duration": true}
	for _, w := range []string{"Bool", "String", "Bytes", "Int32", "UInt32", "Int64", "UInt64", "Float", "Double"} {
		handled[protoreflect.FullName("google.protobuf."+w+"Value")] = true
	}
	seen := map[protoreflect.FullName]bool{}
	var walk func(md protoreflect.MessageDescriptor)
	walk = func(md protoreflect.MessageDescriptor) {
		if seen[md.FullName()] {
			return
		}
		seen[md.FullName()] = true
		if strings.HasPrefix(string(md.FullName()), "google.protobuf.") {
			assert.True(t, handled[md.FullName()], "%s is reachable from a generated spec but ProtoNode does not write it as protojson does", md.FullName())
			return
		}
		fs := md.Fields()
		for i := 0; i < fs.Len(); i++ {
			f := fs.Get(i)
			if f.IsMap() {
				f = f.MapValue()
			}
			if f.Message() != nil {
				walk(f.Message())
			}
		}
	}
	for _, m := range []proto.Message{&networking.VirtualService{}, &security.AuthorizationPolicy{}, &security.RequestAuthentication{}} {
		walk(m.ProtoReflect().Descriptor())
	}
	assert.True(t, seen["google.protobuf.Duration"], "the walk reaches the well-known types")
}
