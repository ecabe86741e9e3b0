package object

import (
	"encoding/base64"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/durationpb"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// ProtoNode converts a protobuf message into a YAML mapping node with the message's
// JSON field names in sorted order, leaving out unset fields. Values are written as
// protojson writes them (and jsonpb, which Istio's Go types marshal with): 64-bit
// integers and bytes (base64) as strings, Duration as "180s" or "1.500s", wrappers as
// their bare value. Of the other well-known types (Any, Struct, Timestamp, ...) none
// is reachable from the Istio specs the function builds (TestProtoNodeWellKnownTypes
// checks that); they would be written as plain messages.
func ProtoNode(m protoreflect.Message) *yaml.Node {
	switch m.Descriptor().FullName() {
	case "google.protobuf.Duration":
		d := m.Interface().(*durationpb.Duration)
		return Str(formatDuration(d))
	case "google.protobuf.BoolValue", "google.protobuf.StringValue", "google.protobuf.BytesValue",
		"google.protobuf.Int32Value", "google.protobuf.UInt32Value",
		"google.protobuf.Int64Value", "google.protobuf.UInt64Value",
		"google.protobuf.FloatValue", "google.protobuf.DoubleValue":
		fd := m.Descriptor().Fields().ByName("value")
		return scalarNode(fd, m.Get(fd))
	}
	type entry struct {
		key string
		val *yaml.Node
	}
	var entries []entry
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		entries = append(entries, entry{fd.JSONName(), fieldNode(fd, v)})
		return true
	})
	sort.Slice(entries, func(i, j int) bool { return entries[i].key < entries[j].key })
	n := Map()
	for _, e := range entries {
		n.Content = append(n.Content, Str(e.key), e.val)
	}
	return n
}

func fieldNode(fd protoreflect.FieldDescriptor, v protoreflect.Value) *yaml.Node {
	switch {
	case fd.IsList():
		l := v.List()
		n := Seq()
		for i := 0; i < l.Len(); i++ {
			n.Content = append(n.Content, singularNode(fd, l.Get(i)))
		}
		return n
	case fd.IsMap():
		mp := v.Map()
		keys := make([]string, 0, mp.Len())
		vals := map[string]protoreflect.Value{}
		mp.Range(func(k protoreflect.MapKey, val protoreflect.Value) bool {
			keys = append(keys, k.String())
			vals[k.String()] = val
			return true
		})
		sort.Strings(keys)
		n := Map()
		for _, k := range keys {
			n.Content = append(n.Content, Str(k), singularNode(fd.MapValue(), vals[k]))
		}
		return n
	}
	return singularNode(fd, v)
}

func singularNode(fd protoreflect.FieldDescriptor, v protoreflect.Value) *yaml.Node {
	if fd.Kind() == protoreflect.MessageKind || fd.Kind() == protoreflect.GroupKind {
		return ProtoNode(v.Message())
	}
	return scalarNode(fd, v)
}

func scalarNode(fd protoreflect.FieldDescriptor, v protoreflect.Value) *yaml.Node {
	switch fd.Kind() {
	case protoreflect.StringKind:
		return Str(v.String())
	case protoreflect.BoolKind:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: yaml.NodeTagBool, Value: strconv.FormatBool(v.Bool())}
	case protoreflect.EnumKind:
		if ev := fd.Enum().Values().ByNumber(v.Enum()); ev != nil {
			return Str(string(ev.Name()))
		}
		return Int(int64(v.Enum()))
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
		return Int(v.Int())
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind:
		return Int(int64(v.Uint()))
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		// protojson writes 64-bit integers as strings.
		return Str(strconv.FormatInt(v.Int(), 10))
	case protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		return Str(strconv.FormatUint(v.Uint(), 10))
	case protoreflect.FloatKind:
		return floatNode(v.Float(), 32)
	case protoreflect.DoubleKind:
		return floatNode(v.Float(), 64)
	case protoreflect.BytesKind:
		return Str(base64.StdEncoding.EncodeToString(v.Bytes()))
	}
	panic(fmt.Sprintf("object: unsupported protobuf field kind %v", fd.Kind()))
}

// floatNode writes a float as protojson does: NaN and infinities as strings, other
// values as JSON numbers in the shortest form for their bit size, with an exponent
// only below 1e-6 or from 1e21 on (as encoding/json), e.g. "1e-07", "1e+21".
func floatNode(f float64, bitSize int) *yaml.Node {
	switch {
	case math.IsNaN(f):
		return Str("NaN")
	case math.IsInf(f, 1):
		return Str("Infinity")
	case math.IsInf(f, -1):
		return Str("-Infinity")
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 {
		if bitSize == 64 && (abs < 1e-6 || abs >= 1e21) || bitSize == 32 && (float32(abs) < 1e-6 || float32(abs) >= 1e21) {
			format = 'e'
		}
	}
	s := strconv.FormatFloat(f, format, -1, bitSize)
	if format == 'e' {
		// "1e-07" rather than "1e-7", as encoding/json writes it.
		if n := len(s); n >= 4 && s[n-4] == 'e' && s[n-3] == '-' && s[n-2] == '0' {
			s = s[:n-2] + s[n-1:]
		}
	}
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: yaml.NodeTagFloat, Value: s}
}

// formatDuration writes a Duration the way protojson and Istio's jsonpb do: seconds
// with 0, 3, 6 or 9 fractional digits ("180s", "1.500s", "0.000001s", "-2.5" as
// "-2.500s").
func formatDuration(d *durationpb.Duration) string {
	s, ns := d.GetSeconds(), int64(d.GetNanos())
	sign := ""
	if s < 0 || ns < 0 {
		sign, s, ns = "-", -s, -ns
	}
	x := fmt.Sprintf("%s%d.%09d", sign, s, ns)
	x = strings.TrimSuffix(x, "000")
	x = strings.TrimSuffix(x, "000")
	x = strings.TrimSuffix(x, ".000")
	return x + "s"
}
