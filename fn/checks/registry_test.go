package checks

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRegistry keeps the registry sound and the README's checks table in step with
// it: one row per check, with its ID, severity, why, fix and waiver.
func TestRegistry(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	id := regexp.MustCompile(`^AF[1-7][0-9]{2}$`)
	for i, c := range All {
		assert.Regexp(t, id, c.ID)
		if i > 0 {
			assert.Less(t, All[i-1].ID, c.ID, "All is in ID order, without repeats")
		}
		assert.Contains(t, []Severity{High, Medium, Low}, c.Severity, c.ID)
		assert.NotEmpty(t, c.Why, c.ID)
		assert.NotEmpty(t, c.Fix, c.ID)
		assert.NotNil(t, c.Run, c.ID)
		assert.True(t, strings.Contains(string(readme), Row(c)+"\n"), "README checks table: want the row\n%s", Row(c))
	}
	rows := regexp.MustCompile(`(?m)^\| AF[0-9]+ \|`).FindAllString(string(readme), -1)
	assert.Len(t, rows, len(All), "README rows for checks that do not exist")
}

// Row is the check's row in the README's checks table.
func Row(c *Check) string {
	esc := strings.NewReplacer("|", `\|`)
	return "| " + c.ID + " | " + string(c.Severity) + " | " + esc.Replace(c.Why) + " | " + esc.Replace(c.Fix) + " | `" + WaiveAnnotation + ": " + c.ID + "` |"
}
