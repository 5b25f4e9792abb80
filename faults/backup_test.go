package faults_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"
	"github.com/pocketbase/pocketbase/tools/archive"

	. "touchbase/internal/testapp"
	"touchbase/server"
)

// TestBackupRestore follows README-backups.md: marks and comments are
// written through the API, a superuser takes a backup through
// PocketBase's backup API and downloads it, the zip is unpacked into a
// fresh data dir, and the restored Touchbase has every touch and every
// comment, field for field, serves them through the API as before, and
// has nothing written after the backup.
func TestBackupRestore(t *testing.T) {
	app := New(t)
	h := handler(t, app)

	// history worth keeping: marks of both points, a skip, a status
	// change, manual comments and a ticket with its system comment
	writes := []struct{ user, path, body string }{
		{PM1, "/api/collections/touches/records", markBody(C1, OccStandard, "done", "Отправил статью")},
		{PM1b, "/api/collections/touches/records", markBody(C1c, OccStandard, "skipped", "Не актуально")},
		{PM2, "/api/collections/touches/records", markBody(C2, OccP2Only, "done", "Invited")},
		{SM, "/api/collections/touches/records", markBody(C1b, OccMandatory, "done", "")},
		{PM1, "/api/collections/comments/records", `{"client":"` + C1 + `","text":"Перезвонить в понедельник"}`},
		{SM, "/api/collections/tickets/records", `{"client":"` + C2 + `","title":"Invoice lost","status":"open"}`},
		{PM1, "/api/collections/touches/records/" + T1, `{"status":"skipped","comment":"Client postponed"}`},
	}
	for _, w := range writes {
		method := http.MethodPost
		if w.path == "/api/collections/touches/records/"+T1 {
			method = http.MethodPatch
		}
		if r := do(h, method, w.path, w.user, "", w.body); r.Status != 200 {
			t.Fatalf("%s %s: %d %s", method, w.path, r.Status, r.Body)
		}
	}
	touchesBefore := records(t, app, "touches")
	commentsBefore := records(t, app, "comments")

	// only a superuser may take or download a backup
	for _, user := range []string{SM, PM1, ""} {
		if r := do(h, http.MethodPost, "/api/backups", user, "", `{"name":"stolen.zip"}`); r.Status < 400 || r.Status >= 500 {
			t.Errorf("backup as %q: %d %s", user, r.Status, r.Body)
		}
	}
	if r := do(h, http.MethodPost, "/api/backups", Superuser, "", `{"name":"touchbase_test.zip"}`); r.Status != 204 {
		t.Fatalf("create backup: %d %s", r.Status, r.Body)
	}
	list := do(h, http.MethodGet, "/api/backups", Superuser, "", "")
	if list.Status != 200 || !json.Valid([]byte(list.Body)) || !containsKey(list.Body, "touchbase_test.zip") {
		t.Fatalf("list backups: %d %s", list.Status, list.Body)
	}
	// PocketBase's listing of the backup files: a staff token is refused
	if r := do(h, http.MethodGet, "/api/backups", SM, "", ""); r.Status != 403 && r.Status != 401 {
		t.Errorf("list backups as a service manager: %d", r.Status)
	}

	// a mark after the backup must not be in it
	late := do(h, http.MethodPost, "/api/collections/touches/records", PM1, "", markBody(C1, OccSegmentA, "done", "after the backup"))
	if late.Status != 200 {
		t.Fatalf("late mark: %d %s", late.Status, late.Body)
	}

	// download it the way the dashboard does: a superuser file token
	tok := do(h, http.MethodPost, "/api/files/token", Superuser, "", "")
	token, _ := tok.JSON["token"].(string)
	if tok.Status != 200 || token == "" {
		t.Fatalf("file token: %d %s", tok.Status, tok.Body)
	}
	if r := do(h, http.MethodGet, "/api/backups/touchbase_test.zip", "", "", ""); r.Status != 403 {
		t.Errorf("download without a token: %d", r.Status)
	}
	req := httptest.NewRequest(http.MethodGet, "/api/backups/touchbase_test.zip?token="+token, nil)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != 200 {
		t.Fatalf("download backup: %d %s", rec.Code, rec.Body.String())
	}
	zipPath := filepath.Join(t.TempDir(), "touchbase_test.zip")
	if err := os.WriteFile(zipPath, rec.Body.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}

	// restore into a fresh data dir (README-backups.md, "Restore")
	restored := filepath.Join(t.TempDir(), "pb_data")
	if err := archive.Extract(zipPath, restored); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"data.db", "auxiliary.db"} {
		if _, err := os.Stat(filepath.Join(restored, name)); err != nil {
			t.Errorf("the backup has no %s: %v", name, err)
		}
	}

	// opened as the server opens it: the same touches and comments
	opened := openDataDir(t, restored)
	if err := opened.RunAllMigrations(); err != nil {
		t.Fatalf("migrations on the restored data dir: %v", err)
	}
	touchesAfter := records(t, opened, "touches")
	commentsAfter := records(t, opened, "comments")
	compareRecords(t, "touches", touchesBefore, touchesAfter)
	compareRecords(t, "comments", commentsBefore, commentsAfter)
	if _, ok := touchesAfter[fmt.Sprint(late.JSON["id"])]; ok {
		t.Error("the touch marked after the backup is in it")
	}
	if len(touchesBefore) < 6 || len(commentsBefore) < 10 {
		t.Fatalf("too little history to prove anything: %d touches, %d comments", len(touchesBefore), len(commentsBefore))
	}

	// and a Touchbase on the restored dir serves them with the same rules
	// (the auth keys are in the backup too: old tokens keep working)
	served, err := tests.NewTestApp(restored)
	if err != nil {
		t.Fatal(err)
	}
	defer served.Cleanup()
	server.BindAppHooks(served)
	sh := handler(t, served)
	for user, want := range map[string]int{SM: len(touchesBefore), PM1: countPoint(t, opened, P1)} {
		r := do(sh, http.MethodGet, "/api/collections/touches/records?perPage=500", user, "", "")
		if got, _ := r.JSON["totalItems"].(float64); r.Status != 200 || int(got) != want {
			t.Errorf("restored touches as %s: %d, %v items, want %d", user, r.Status, r.JSON["totalItems"], want)
		}
	}
	// and the history still refuses a second mark
	if r := do(sh, http.MethodPost, "/api/collections/touches/records", PM1b, "", markBody(C1, OccStandard, "done", "")); r.Status != 400 {
		t.Errorf("a second mark on the restored data: %d %s", r.Status, r.Body)
	}
	t.Logf("backup of %d bytes restored %d touches and %d comments", rec.Body.Len(), len(touchesAfter), len(commentsAfter))
}

// records returns every record of collection by id, as exported to JSON.
func records(t *testing.T, app core.App, collection string) map[string]string {
	t.Helper()
	all, err := app.FindAllRecords(collection)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, r := range all {
		raw, err := json.Marshal(r.FieldsData())
		if err != nil {
			t.Fatal(err)
		}
		out[r.Id] = string(raw)
	}
	return out
}

func compareRecords(t *testing.T, collection string, before, after map[string]string) {
	t.Helper()
	for id, want := range before {
		if got, ok := after[id]; !ok {
			t.Errorf("%s %s is missing from the restored data", collection, id)
		} else if got != want {
			t.Errorf("%s %s differs after the restore:\n got %s\nwant %s", collection, id, got, want)
		}
	}
	for id := range after {
		if _, ok := before[id]; !ok {
			t.Errorf("%s %s appeared in the restored data", collection, id)
		}
	}
}

// countPoint counts the touches of the point's clients.
func countPoint(t *testing.T, app core.App, point string) int {
	t.Helper()
	var n int
	err := app.DB().NewQuery("SELECT COUNT(*) FROM touches t JOIN clients c ON c.id = t.client WHERE c.point = {:p}").
		Bind(map[string]any{"p": point}).Row(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func containsKey(list, key string) bool {
	var items []struct{ Key string }
	if err := json.Unmarshal([]byte(list), &items); err != nil {
		return false
	}
	return slices.ContainsFunc(items, func(i struct{ Key string }) bool { return i.Key == key })
}
