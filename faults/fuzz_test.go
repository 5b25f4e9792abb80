package faults_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	. "touchbase/internal/testapp"
)

// FuzzWorklistParams sends fuzzed query strings to the worklist as every
// kind of caller (SPEC §6, §10). Whatever the query, the answer is a JSON
// 200 or 4xx, never a 500; a 400 names the parameter; a 200 lists at most
// perPage rows and only clients of the caller's points; and the database
// does not change (the worklist only reads).
//
// CI runs it for a few seconds (.ci/run, FUZZTIME); a longer run:
//
//	GOTOOLCHAIN=auto go test -tags no_ui -run '^$' -fuzz '^FuzzWorklistParams$' -fuzztime 10m ./faults/
func FuzzWorklistParams(f *testing.F) {
	app := New(f)
	addFuzzOccasions(f, app)
	h := handler(f, app)
	fingerprint := dbFingerprint(f, app)
	before := fingerprint()

	users := []string{SM, PM1, PM1b, PM2, Superuser, ""}
	occasions := []string{OccStandard, OccMandatory, OccP2Only, OccArchived, OccSegmentA, OccEnded,
		"occbirthday0001", "occyearly000001", "occannivers0001", ""}
	points := map[string]string{PM1: P1, PM1b: P1, PM2: P2}

	type seed struct {
		user, occ                                                     uint8
		occasion, state, segment, stage, tag, manager, point, q, page string
		perPage, extra                                                string
	}
	for _, s := range []seed{
		{user: 1},
		{user: 0, occ: 6, state: "all", segment: "A+,A", stage: "regular,new", page: "1", perPage: "500"},
		{user: 2, occ: 0, state: "held", q: "ромашка", tag: "vip", manager: "me"},
		{user: 3, occ: 2, state: "done", manager: PM2, point: P2, extra: "foo=bar&sort=-name"},
		{user: 1, occ: 0, point: P2, q: "%_\\", page: "1000000", perPage: "1"},
		{user: 4, occ: 7, state: "skipped", manager: "none", segment: "A ", stage: "lost"},
		{user: 5, occ: 0},
		{user: 1, occasion: "../../x", state: "pending,done", extra: "occasion=" + OccStandard + "&page=%ZZ&q=%FF"},
		{user: 0, occ: 8, q: "Ёлка Ё", perPage: "0", page: "-1"},
		{user: 1, occ: 9, extra: strings.Repeat("segment=A&", 50)},
		{user: 1, occ: 0, state: "all", point: P2},
		{user: 3, occ: 1, state: "all", point: P1, manager: PM1},
		{user: 2, occ: 1, state: "all", extra: "point=" + P2 + "&point=" + P1},
	} {
		f.Add(s.user, s.occ, s.occasion, s.state, s.segment, s.stage, s.tag, s.manager, s.point, s.q, s.page, s.perPage, s.extra)
	}

	f.Fuzz(func(t *testing.T, user, occ uint8, occasion, state, segment, stage, tag, manager, point, q, page, perPage, extra string) {
		caller := users[int(user)%len(users)]
		if occasion == "" {
			occasion = occasions[int(occ)%len(occasions)]
		}
		query := url.Values{}
		for name, value := range map[string]string{"occasion": occasion, "state": state, "segment": segment, "stage": stage,
			"tag": tag, "manager": manager, "point": point, "q": q, "page": page, "perPage": perPage} {
			if value != "" {
				query.Set(name, value)
			}
		}
		raw := query.Encode()
		if extra != "" {
			raw += "&" + extra
		}

		req := httptest.NewRequest(http.MethodGet, "/api/touchbase/worklist", nil)
		req.URL.RawQuery = raw // as sent, broken escapes included
		for k, v := range Auth(caller) {
			req.Header.Set(k, v)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		res := answer{Status: rec.Code, Body: rec.Body.String()}
		var list struct {
			PerPage int `json:"perPage"`
			Items   []struct {
				Client struct{ Id, Point string }
			} `json:"items"`
		}
		if err := jsonDecode(rec.Body.Bytes(), &res.JSON, &list); err != nil {
			t.Fatalf("?%s as %q: %d, not JSON: %v\n%s", raw, caller, res.Status, err, truncate(res.Body))
		}

		switch {
		case res.Status >= 500:
			t.Fatalf("?%s as %q: %d %s", raw, caller, res.Status, truncate(res.Body))
		case res.Status == 400 && len(fieldsNamed(res)) == 0:
			t.Fatalf("?%s as %q: a 400 that names no parameter: %s", raw, caller, truncate(res.Body))
		case res.Status == 200:
			if len(list.Items) > list.PerPage || list.PerPage > 500 {
				t.Fatalf("?%s as %q: %d items on a page of %d", raw, caller, len(list.Items), list.PerPage)
			}
			if own, scoped := points[caller]; scoped {
				for _, item := range list.Items {
					if item.Client.Point != own {
						t.Fatalf("?%s as %q: client %s of point %s leaked", raw, caller, item.Client.Id, item.Client.Point)
					}
				}
			}
		case res.Status == 401 && caller != "":
			t.Fatalf("?%s as %q: 401 for a signed-in user", raw, caller)
		}
		if after := fingerprint(); after != before {
			t.Fatalf("?%s as %q changed the database", raw, caller)
		}
	})
}

// addFuzzOccasions adds the occasions the fixture lacks, so the fuzzer
// reaches the personal (birthday, anniversary) and yearly paths, and gives
// clients the dates they need.
func addFuzzOccasions(t testing.TB, app core.App) {
	t.Helper()
	today := time.Now().UTC()
	occasions, err := app.FindCollectionByNameOrId("occasions")
	if err != nil {
		t.Fatal(err)
	}
	for id, fields := range map[string]map[string]any{
		"occbirthday0001": {"title": "День рождения", "kind": "standard", "trigger": "birthday", "template": "С днём рождения, {{contact}}! {{manager}}"},
		"occannivers0001": {"title": "Anniversary", "kind": "standard", "trigger": "anniversary", "template": "{{years}} years with {{point}} since {{date}}"},
		"occyearly000001": {"title": "New Year", "kind": "mandatory", "repeat": "yearly", "starts": today.AddDate(0, 0, -3).Format(time.DateOnly), "ends": today.AddDate(0, 0, 20).Format(time.DateOnly)},
	} {
		r := core.NewRecord(occasions)
		r.Id = id
		r.Load(fields)
		if err := app.Save(r); err != nil {
			t.Fatal(err)
		}
	}
	for id, fields := range map[string]map[string]any{
		C1:  {"contact_birthday": today.AddDate(-40, 0, 1).Format(time.DateOnly), "since": today.AddDate(-5, 0, 0).Format(time.DateOnly)},
		C2:  {"contact_birthday": today.AddDate(-30, 0, 0).Format(time.DateOnly), "since": today.AddDate(-1, 0, 2).Format(time.DateOnly)},
		C1b: {"since": today.AddDate(-3, 0, 0).Format(time.DateOnly)},
	} {
		client, err := app.FindRecordById("clients", id)
		if err != nil {
			t.Fatal(err)
		}
		if birthday, ok := fields["contact_birthday"]; ok {
			delete(fields, "contact_birthday")
			SetContact(t, app, id, map[string]any{"birthday": birthday})
		}
		client.Load(fields)
		if err := app.Save(client); err != nil {
			t.Fatal(err)
		}
	}
}

// dbFingerprint returns a cheap summary of every collection's table: the
// row count, the highest rowid and the newest updated. An insert, a delete
// or a save changes it; the fuzz target reads it after every request,
// which the full dbState would slow down fourfold.
func dbFingerprint(t testing.TB, app core.App) func() string {
	t.Helper()
	collections, err := app.FindAllCollections()
	if err != nil {
		t.Fatal(err)
	}
	var parts []string
	for _, c := range collections {
		updated := "''"
		if c.Fields.GetByName("updated") != nil {
			updated = "COALESCE(MAX([[updated]]), '')"
		}
		parts = append(parts, fmt.Sprintf("SELECT '%s' || ':' || COUNT(*) || ':' || COALESCE(MAX(rowid), 0) || ':' || %s FROM {{%s}}", c.Name, updated, c.Name))
	}
	sql := strings.Join(parts, " UNION ALL ")
	return func() string {
		var rows []string
		if err := app.DB().NewQuery(sql).Column(&rows); err != nil {
			t.Fatal(err)
		}
		return strings.Join(rows, "\n")
	}
}
