package hooks_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"touchbase/testapp"
)

// The role × collection × action table lives in faults/access_review_test.go
// (with the custom routes); the tests here go deeper into each hook.

func TestMain(m *testing.M) { testapp.Main(m) }

// resolveTarget resolves a target written as an id or as "field:value".
func resolveTarget(t testing.TB, app core.App, collection, target string) string {
	field, value, ok := strings.Cut(target, ":")
	if !ok {
		return target
	}
	record, err := app.FindFirstRecordByData(collection, field, value)
	if err != nil {
		t.Fatalf("target %s in %s: %v", target, collection, err)
	}
	return record.Id
}

// snapshot serialises every record of a collection (with hidden fields),
// so that any change is visible.
func snapshot(t testing.TB, app core.App, collection string) string {
	records, err := app.FindAllRecords(collection)
	if err != nil {
		t.Fatal(err)
	}
	rows := make(map[string]map[string]any, len(records))
	for _, r := range records {
		rows[r.Id] = r.FieldsData()
	}
	raw, err := json.Marshal(rows)
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}
