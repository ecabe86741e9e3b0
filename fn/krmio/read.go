package krmio

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// ResourceList API versions accepted on input.
var resourceListVersions = map[string]bool{
	"config.kubernetes.io/v1":       true,
	"config.kubernetes.io/v1beta1":  true,
	"config.kubernetes.io/v1alpha1": true,
}

// IsResourceListVersion reports whether a ResourceList of apiVersion is read as one.
func IsResourceListVersion(apiVersion string) bool { return resourceListVersions[apiVersion] }

// Input is what was read.
type Input struct {
	// Wrapped is true when the input was a ResourceList; APIVersion is its apiVersion.
	Wrapped    bool
	APIVersion string
	// Items are the raw item nodes, in order. They are not checked here: an item may
	// be null, a scalar or a list, which the processor reports with its position.
	Items []*yaml.Node
	// FunctionConfig is nil when absent or null.
	FunctionConfig *yaml.Node
	// ItemsNotList is set when a ResourceList's items field is missing, null or not a
	// sequence (an empty ResourceList has "items: []").
	ItemsNotList bool
	// Refused is why the input was refused before it was parsed (ParseLimited).
	Refused error
	// Bytes is the size of the input.
	Bytes int64
}

// ErrTooLarge is returned when the input exceeds the byte limit.
var ErrTooLarge = errors.New("input too large")

// ReadAll reads r up to limit bytes (0: unlimited); more than that is ErrTooLarge.
// A regular file larger than the limit is refused without being read.
func ReadAll(r io.Reader, limit int64) ([]byte, error) {
	if limit <= 0 {
		return io.ReadAll(r)
	}
	if f, ok := r.(interface{ Stat() (fs.FileInfo, error) }); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() && fi.Size() > limit {
			return nil, tooLarge(limit)
		}
	}
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, tooLarge(limit)
	}
	return b, nil
}

func tooLarge(limit int64) error {
	return fmt.Errorf("%w: more than %d bytes", ErrTooLarge, limit)
}

// Parse reads a ResourceList or a plain multi-document stream. A single document of
// kind ResourceList is unwrapped; anything else is a stream of items (a ResourceList
// among several documents stays an item, for the processor to reject).
func Parse(data []byte) (*Input, error) { return ParseLimited(data, Limits{}) }

// ParseLimited is Parse that first counts the items and nodes of data and refuses
// it, with an error wrapping ErrTooLarge, when it is over lim. Within the limits it
// returns what Parse returns.
//
// A ResourceList refused this way comes back as an Input with Wrapped, APIVersion
// and Refused set and no items, so that the refusal can be answered with a
// ResourceList of results.
func ParseLimited(data []byte, lim Limits) (*Input, error) {
	text, err := utf8Text(data)
	if err != nil {
		return nil, err
	}
	sh := scan(text)
	if err := sh.check(lim); err != nil {
		if resourceListVersions[sh.listAPIVersion] {
			return &Input{Wrapped: true, APIVersion: sh.listAPIVersion, Refused: err, Bytes: int64(len(data))}, nil
		}
		return nil, err
	}
	docs, err := documents(text)
	if err != nil {
		return nil, err
	}
	in := &Input{Items: docs}
	if len(docs) == 1 && docs[0].Kind == yaml.MappingNode {
		if apiVersion, kind := typeOf(docs[0]); kind == "ResourceList" && resourceListVersions[apiVersion] {
			if key := duplicateKey(docs[0]); key != "" {
				return nil, fmt.Errorf("ResourceList: duplicate key %q: YAML decoders disagree on which value counts", key)
			}
			in = unwrap(docs[0], apiVersion)
		}
	}
	in.Bytes = int64(len(data))
	return in, nil
}

func documents(data []byte) ([]*yaml.Node, error) {
	data, err := utf8Text(data)
	if err != nil {
		return nil, err
	}
	docs, err := decodeAll(data)
	if err != nil {
		return nil, err
	}
	if n := nonSpecificTag(data, docs); n != nil {
		return nil, fmt.Errorf("invalid YAML: line %d: the non-specific tag ! is not allowed: kyaml reads %q by its looks, other decoders as a string; quote the value instead", n.Line, n.Value)
	}
	return docs, nil
}

// utf8Text transcodes UTF-16 input (which needs a byte order mark, as in YAML) to
// UTF-8 and drops a UTF-8 byte order mark, so that the parser's line and column
// positions are positions in the returned text.
func utf8Text(data []byte) ([]byte, error) {
	var order binary.ByteOrder
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		return data[3:], nil
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}):
		order = binary.LittleEndian
	case bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		order = binary.BigEndian
	default:
		return data, nil
	}
	data = data[2:]
	if len(data)%2 != 0 {
		return nil, errors.New("invalid YAML: UTF-16 input of an odd number of bytes")
	}
	units := make([]uint16, len(data)/2)
	for i := range units {
		units[i] = order.Uint16(data[2*i:])
	}
	if len(units) > 0 && units[0] == 0xFEFF {
		// sigs.k8s.io/yaml keeps a second mark of UTF-16 input as text; yaml.v3
		// drops it.
		return nil, errors.New("invalid YAML: UTF-16 input with a second byte order mark")
	}
	return []byte(string(utf16.Decode(units))), nil
}

func decodeAll(data []byte) ([]*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var docs []*yaml.Node
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return nil, fmt.Errorf("invalid YAML: %w", err)
		}
		if len(doc.Content) == 0 {
			continue
		}
		root := doc.Content[0]
		if root.Kind == yaml.ScalarNode && root.Tag == yaml.NodeTagNull && isEmptyDoc(root) {
			continue
		}
		docs = append(docs, root)
	}
}

// nonSpecificTag returns the first plain scalar of docs written with the
// non-specific tag "!" ("! 8000"). YAML and sigs.k8s.io/yaml (kubectl) read such a
// scalar as a string; yaml.v3 drops the tag and resolves the value by its looks (an
// integer, a boolean, null), and its nodes keep no trace of the tag, so the source
// text at the node's position is checked: a plain scalar cannot start with "!".
func nonSpecificTag(data []byte, docs []*yaml.Node) *yaml.Node {
	t := &text{data: data, lines: lineStarts(data), line: 1, column: 1}
	notPlain := yaml.SingleQuotedStyle | yaml.DoubleQuotedStyle | yaml.LiteralStyle | yaml.FoldedStyle | yaml.TaggedStyle
	var found *yaml.Node
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if found != nil {
			return
		}
		if n.Kind == yaml.ScalarNode && n.Style&notPlain == 0 && t.startsWithBang(n.Line, n.Column) {
			found = n
			return
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	for _, d := range docs {
		walk(d)
	}
	return found
}

// text finds positions in data. Nodes are visited in document order, so it moves
// a cursor forward within a line instead of counting from the line's start.
type text struct {
	data         []byte
	lines        []int // offset of every line
	line, column int   // the cursor, 1-based, column in characters
	offset       int   // the cursor's offset
}

// lineStarts returns the offset of every line of data, with YAML's line breaks:
// LF, CR LF, CR, NEL, LS and PS.
func lineStarts(data []byte) []int {
	starts := []int{0}
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		i += size
		switch {
		case r == '\r' && i < len(data) && data[i] == '\n':
			i++
			starts = append(starts, i)
		case r == '\r', r == '\n', r == '\u0085', r == '\u2028', r == '\u2029':
			starts = append(starts, i)
		}
	}
	return starts
}

// startsWithBang reports whether the node at line and column starts with "!",
// after an anchor if it has one.
func (t *text) startsWithBang(line, column int) bool {
	if line < 1 || line > len(t.lines) {
		return false
	}
	if line != t.line || column < t.column {
		t.line, t.column, t.offset = line, 1, t.lines[line-1]
	}
	for ; t.column < column && t.offset < len(t.data); t.column++ {
		_, size := utf8.DecodeRune(t.data[t.offset:])
		t.offset += size
	}
	i := t.offset
	if i < len(t.data) && t.data[i] == '&' {
		for i < len(t.data) && t.data[i] != ' ' && t.data[i] != '\t' && t.data[i] != '\n' && t.data[i] != '\r' {
			i++
		}
		for i < len(t.data) && (t.data[i] == ' ' || t.data[i] == '\t') {
			i++
		}
	}
	return i < len(t.data) && t.data[i] == '!'
}

// isEmptyDoc tells an empty document (a stray "---") from an explicit null item.
func isEmptyDoc(n *yaml.Node) bool { return n.Value == "" && n.Style == 0 }

func duplicateKey(n *yaml.Node) string {
	seen := make(map[string]bool, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i].Value
		if seen[k] {
			return k
		}
		seen[k] = true
	}
	return ""
}

func unwrap(rl *yaml.Node, apiVersion string) *Input {
	in := &Input{Wrapped: true, APIVersion: apiVersion, ItemsNotList: true}
	for i := 0; i+1 < len(rl.Content); i += 2 {
		k, v := rl.Content[i].Value, rl.Content[i+1]
		switch k {
		case "items":
			if v.Kind == yaml.SequenceNode {
				in.Items, in.ItemsNotList = v.Content, false
			}
		case "functionConfig":
			if v.Tag != yaml.NodeTagNull {
				in.FunctionConfig = v
			}
		}
	}
	return in
}

// typeOf returns apiVersion and kind of a mapping node ("" when absent or not strings).
func typeOf(n *yaml.Node) (apiVersion, kind string) {
	for i := 0; i+1 < len(n.Content); i += 2 {
		v := n.Content[i+1]
		if v.Kind != yaml.ScalarNode {
			continue
		}
		switch n.Content[i].Value {
		case "apiVersion":
			apiVersion = strings.TrimSpace(v.Value)
		case "kind":
			kind = strings.TrimSpace(v.Value)
		}
	}
	return apiVersion, kind
}
