package api_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the test points use far-away zones

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"touchbase/domain"
	. "touchbase/internal/testapp"
	"touchbase/occurrence"
)

// call is one GET to a Touchbase route and what must come back: the
// status, substrings of the body, and a check of the decoded body.
type call struct {
	name   string
	user   string // fixture id; "" = anonymous
	url    string
	status int
	before func(t testing.TB, app *tests.TestApp)
	expect []string
	reject []string
	check  func(t testing.TB, app *tests.TestApp, body []byte)
}

func (c call) run(t *testing.T) {
	t.Helper()
	expect := c.expect
	if len(expect) == 0 && len(c.reject) == 0 {
		expect = []string{`"`}
	}
	scenario := tests.ApiScenario{
		Name:               c.name,
		Method:             http.MethodGet,
		URL:                c.url,
		Headers:            Auth(c.user),
		TestAppFactory:     Factory,
		ExpectedStatus:     c.status,
		ExpectedContent:    expect,
		NotExpectedContent: c.reject,
		BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
			if c.before != nil {
				c.before(t, app)
			}
		},
		AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
			if c.check == nil {
				return
			}
			body, err := io.ReadAll(res.Body)
			if err != nil {
				t.Fatal(err)
			}
			c.check(t, app, body)
		},
	}
	scenario.Test(t)
}

func runCalls(t *testing.T, calls []call) {
	t.Helper()
	for _, c := range calls {
		c.run(t)
	}
}

// paramError is the start of a 400/403 body naming the query parameter.
func paramError(param, code string) string {
	return `"data":{"` + param + `":{"code":"` + code + `"`
}

// worklistPage is the worklist JSON as a client reads it.
type worklistPage struct {
	Page       int            `json:"page"`
	PerPage    int            `json:"perPage"`
	TotalItems int            `json:"totalItems"`
	Counts     map[string]int `json:"counts"`
	Occasion   struct {
		Id     string `json:"id"`
		Title  string `json:"title"`
		Active bool   `json:"active"`
	} `json:"occasion"`
	Items []worklistEntry `json:"items"`
}

type worklistEntry struct {
	Client struct {
		Id          string   `json:"id"`
		Name        string   `json:"name"`
		Point       string   `json:"point"`
		Stage       string   `json:"stage"`
		ContactName string   `json:"contact_name"`
		Manager     string   `json:"manager"`
		ManagerName string   `json:"managerName"`
		Tags        []string `json:"tags"`
	} `json:"client"`
	Contact *struct {
		Id       string `json:"id"`
		Name     string `json:"name"`
		Position string `json:"position"`
	} `json:"contact"`
	Touch *struct {
		Id         string `json:"id"`
		Status     string `json:"status"`
		Author     string `json:"author"`
		AuthorName string `json:"authorName"`
	} `json:"touch"`
	Hold *struct {
		Id       string `json:"id"`
		Reason   string `json:"reason"`
		Occasion string `json:"occasion"`
		Ticket   string `json:"ticket"`
		Text     string `json:"text"`
	} `json:"hold"`
	State   string            `json:"state"`
	Period  string            `json:"period"`
	Date    string            `json:"date"`
	Message string            `json:"message"`
	Missing []string          `json:"missing"`
	Links   map[string]string `json:"links"`
}

func decode[T any](t testing.TB, body []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("decoding %s: %v", body, err)
	}
	return v
}

func (p worklistPage) ids() []string {
	ids := make([]string, len(p.Items))
	for i, item := range p.Items {
		ids[i] = item.Client.Id
	}
	return ids
}

func (p worklistPage) entry(t testing.TB, client string) worklistEntry {
	t.Helper()
	for _, item := range p.Items {
		if item.Client.Id == client {
			return item
		}
	}
	t.Fatalf("client %s not among %v", client, p.ids())
	return worklistEntry{}
}

// wantIds checks the page's client ids, in order.
func wantIds(want ...string) func(t testing.TB, app *tests.TestApp, body []byte) {
	return func(t testing.TB, app *tests.TestApp, body []byte) {
		t.Helper()
		if got := decode[worklistPage](t, body).ids(); !slices.Equal(got, want) {
			t.Errorf("clients = %v, want %v", got, want)
		}
	}
}

func worklistURL(occasion string, query ...string) string {
	return "/api/touchbase/worklist?occasion=" + occasion + strings.Join(append([]string{""}, query...), "&")
}

// update saves changes to a fixture record through the app (hooks run).
func update(t testing.TB, app core.App, collection, id string, fields map[string]any) {
	t.Helper()
	record, err := app.FindRecordById(collection, id)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range fields {
		record.Set(k, v)
	}
	if err := app.Save(record); err != nil {
		t.Fatalf("saving %s %s: %v", collection, id, err)
	}
}

// create saves a new record through the app and returns its id.
func create(t testing.TB, app core.App, collection string, fields map[string]any) string {
	t.Helper()
	c, err := app.FindCollectionByNameOrId(collection)
	if err != nil {
		t.Fatal(err)
	}
	record := core.NewRecord(c)
	for k, v := range fields {
		record.Set(k, v)
	}
	if err := app.RunInTransaction(func(tx core.App) error { return tx.Save(record) }); err != nil {
		t.Fatalf("creating %s: %v", collection, err)
	}
	return record.Id
}

func mark(t testing.TB, app core.App, client, occasion, status, author string) string {
	t.Helper()
	touch, err := MarkTouch(app, client, occasion, status, author)
	if err != nil {
		t.Fatalf("marking %s for %s: %v", client, occasion, err)
	}
	return touch.Id
}

// Fixture order by name (the folded search column): Latin before Cyrillic.
var (
	allByName = []string{C2, C1c, C1b, C1} // Acme Ltd, Test client, ИП Кузнецов, ООО Ромашка
	p1ByName  = []string{C1c, C1b, C1}
)

func TestWorklistScope(t *testing.T) {
	runCalls(t, []call{
		{name: "anonymous", url: worklistURL(OccStandard), status: 401, expect: []string{`"status":401`}},
		{name: "service manager sees every point", user: SM, url: worklistURL(OccStandard, "state=all"), status: 200,
			check: wantIds(allByName...)},
		{name: "point manager sees only their point", user: PM1, url: worklistURL(OccStandard, "state=all"), status: 200,
			reject: []string{C2, "Acme"}, check: wantIds(p1ByName...)},
		{name: "point manager P2", user: PM2, url: worklistURL(OccStandard, "state=all"), status: 200,
			check: wantIds(C2)},
		{name: "point manager asking for another point", user: PM1, url: worklistURL(OccStandard, "point="+P2), status: 403,
			expect: []string{paramError("point", "validation_scope")}, reject: []string{C2}},
		{name: "point manager naming their own point", user: PM1, url: worklistURL(OccStandard, "state=all", "point="+P1), status: 200,
			check: wantIds(p1ByName...)},
		{name: "service manager narrows to a point", user: SM, url: worklistURL(OccStandard, "state=all", "point="+P2), status: 200,
			check: wantIds(C2)},
		{name: "unknown point", user: SM, url: worklistURL(OccStandard, "point=nosuchpoint0001"), status: 400,
			expect: []string{paramError("point", "validation_unknown_point")}},
		{name: "occasion for P2 only, as its point manager", user: PM2, url: worklistURL(OccP2Only, "state=all"), status: 200,
			check: wantIds(C2)},
		{name: "occasion for P2 only, as a service manager", user: SM, url: worklistURL(OccP2Only, "state=all"), status: 200,
			check: wantIds(C2)},
		{name: "occasion for P2 only, narrowed to P1", user: SM, url: worklistURL(OccP2Only, "state=all", "point="+P1), status: 200,
			check: wantIds()},
		{name: "occasion for P2 only is invisible to P1", user: PM1, url: worklistURL(OccP2Only), status: 400,
			expect: []string{paramError("occasion", "validation_unknown_occasion")}, reject: []string{"London webinar"}},
		{name: "unknown occasion", user: SM, url: worklistURL("nosuchoccasion1"), status: 400,
			expect: []string{paramError("occasion", "validation_unknown_occasion")}},
		{name: "malformed occasion", user: SM, url: worklistURL("../../x%27"), status: 400,
			expect: []string{paramError("occasion", "validation_unknown_occasion")}},
		{name: "missing occasion", user: PM1, url: "/api/touchbase/worklist", status: 400,
			expect: []string{paramError("occasion", "validation_required")}},
		{name: "segment targeting", user: SM, url: worklistURL(OccSegmentA, "state=all"), status: 200,
			check: wantIds(C1)},
	})
}

// TestWorklistInactiveOccasions: an archived or ended occasion still shows
// its history, flagged inactive so the page can say it can no longer be
// marked.
func TestWorklistInactiveOccasions(t *testing.T) {
	active := func(want bool) func(t testing.TB, app *tests.TestApp, body []byte) {
		return func(t testing.TB, app *tests.TestApp, body []byte) {
			if page := decode[worklistPage](t, body); page.Occasion.Active != want || len(page.Items) != 3 {
				t.Errorf("active = %v with %d clients, want %v with 3", page.Occasion.Active, len(page.Items), want)
			}
		}
	}
	runCalls(t, []call{
		{name: "active", user: PM1, url: worklistURL(OccStandard, "state=all"), status: 200, check: active(true)},
		{name: "archived", user: PM1, url: worklistURL(OccArchived, "state=all"), status: 200, check: active(false)},
		{name: "ended", user: PM1, url: worklistURL(OccEnded, "state=all"), status: 200, check: active(false)},
	})
}

func TestWorklistStates(t *testing.T) {
	markC1done := func(t testing.TB, app *tests.TestApp) {
		mark(t, app, C1, OccStandard, "done", PM1)
		mark(t, app, C1c, OccStandard, "skipped", PM1b)
	}
	runCalls(t, []call{
		{name: "pending by default: the held client is left out", user: PM1, url: worklistURL(OccStandard), status: 200,
			check: func(t testing.TB, app *tests.TestApp, body []byte) {
				page := decode[worklistPage](t, body)
				if got := page.ids(); !slices.Equal(got, []string{C1c, C1}) {
					t.Errorf("clients = %v, want %v", got, []string{C1c, C1})
				}
				want := map[string]int{"pending": 2, "done": 0, "skipped": 0, "held": 1, "all": 3}
				if fmt.Sprint(page.Counts) != fmt.Sprint(want) {
					t.Errorf("counts = %v, want %v", page.Counts, want)
				}
				if page.TotalItems != 2 || page.Page != 1 || page.PerPage != 50 {
					t.Errorf("page %d perPage %d totalItems %d, want 1 50 2", page.Page, page.PerPage, page.TotalItems)
				}
				for _, item := range page.Items {
					if item.State != "pending" || item.Touch != nil || item.Hold != nil {
						t.Errorf("%s: state %s touch %v hold %v, want pending without touch or hold", item.Client.Name, item.State, item.Touch, item.Hold)
					}
				}
			}},
		{name: "held: the open ticket holds C1b out of a standard occasion", user: PM1, url: worklistURL(OccStandard, "state=held"), status: 200,
			check: func(t testing.TB, app *tests.TestApp, body []byte) {
				page := decode[worklistPage](t, body)
				if got := page.ids(); !slices.Equal(got, []string{C1b}) || page.TotalItems != 1 {
					t.Fatalf("clients = %v (total %d), want [%s]", got, page.TotalItems, C1b)
				}
				item := page.Items[0]
				if item.State != "held" || item.Touch != nil || item.Hold == nil {
					t.Fatalf("state %s touch %v hold %v, want held with a hold", item.State, item.Touch, item.Hold)
				}
				if item.Hold.Reason != "ticket" || item.Hold.Ticket != TK1 || item.Hold.Occasion != "" {
					t.Errorf("hold = %+v, want the ticket hold of %s", *item.Hold, TK1)
				}
				hold, err := app.FindRecordById("holds", item.Hold.Id)
				if err != nil {
					t.Fatal(err)
				}
				if want := domain.DescribeHold(app, hold); item.Hold.Text != want {
					t.Errorf("hold text = %q, want domain.DescribeHold's %q", item.Hold.Text, want)
				}
				if want := "reason: ticket, open ticket «Broken delivery», until lifted"; item.Hold.Text != want {
					t.Errorf("hold text = %q, want %q", item.Hold.Text, want)
				}
			}},
		{name: "a mandatory occasion ignores holds", user: PM1, url: worklistURL(OccMandatory, "state=all"), status: 200,
			check: func(t testing.TB, app *tests.TestApp, body []byte) {
				page := decode[worklistPage](t, body)
				if got := page.ids(); !slices.Equal(got, p1ByName) {
					t.Fatalf("clients = %v, want %v", got, p1ByName)
				}
				if b := page.entry(t, C1b); b.State != "pending" || b.Hold != nil {
					t.Errorf("C1b: state %s hold %v, want pending without hold", b.State, b.Hold)
				}
				c1 := page.entry(t, C1)
				if c1.State != "done" || c1.Touch == nil || c1.Touch.Id != T1 || c1.Touch.AuthorName != "Olga Moscow" {
					t.Errorf("C1: state %s touch %+v, want done by T1 of Olga Moscow", c1.State, c1.Touch)
				}
				want := map[string]int{"pending": 2, "done": 1, "skipped": 0, "held": 0, "all": 3}
				if fmt.Sprint(page.Counts) != fmt.Sprint(want) {
					t.Errorf("counts = %v, want %v", page.Counts, want)
				}
			}},
		{name: "done", user: PM1, url: worklistURL(OccStandard, "state=done"), before: markC1done, status: 200,
			check: func(t testing.TB, app *tests.TestApp, body []byte) {
				page := decode[worklistPage](t, body)
				if got := page.ids(); !slices.Equal(got, []string{C1}) {
					t.Fatalf("clients = %v, want [%s]", got, C1)
				}
				item := page.Items[0]
				if item.State != "done" || item.Touch == nil || item.Touch.Status != "done" || item.Touch.Author != PM1 || item.Touch.AuthorName != "Olga Moscow" {
					t.Errorf("state %s touch %+v, want done by Olga Moscow", item.State, item.Touch)
				}
				want := map[string]int{"pending": 0, "done": 1, "skipped": 1, "held": 1, "all": 3}
				if fmt.Sprint(page.Counts) != fmt.Sprint(want) {
					t.Errorf("counts = %v, want %v", page.Counts, want)
				}
			}},
		{name: "skipped", user: PM1, url: worklistURL(OccStandard, "state=skipped"), before: markC1done, status: 200,
			check: func(t testing.TB, app *tests.TestApp, body []byte) {
				page := decode[worklistPage](t, body)
				if got := page.ids(); !slices.Equal(got, []string{C1c}) || page.Items[0].Touch.AuthorName != "Pavel Moscow" {
					t.Fatalf("clients = %v, want [%s] skipped by Pavel Moscow", got, C1c)
				}
			}},
		{name: "pending after marking", user: PM1, url: worklistURL(OccStandard), before: markC1done, status: 200,
			check: wantIds()},
		{name: "all states, in name order", user: PM1, url: worklistURL(OccStandard, "state=all"), before: markC1done, status: 200,
			check: func(t testing.TB, app *tests.TestApp, body []byte) {
				page := decode[worklistPage](t, body)
				var states []string
				for _, item := range page.Items {
					states = append(states, item.State)
				}
				if want := []string{"skipped", "held", "done"}; !slices.Equal(states, want) || !slices.Equal(page.ids(), p1ByName) {
					t.Errorf("states = %v of %v, want %v of %v", states, page.ids(), want, p1ByName)
				}
			}},
		{name: "unknown state", user: PM1, url: worklistURL(OccStandard, "state=maybe"), status: 400,
			expect: []string{paramError("state", "validation_invalid_value")}},
	})
}

// TestWorklistHoldTextIsDomains: every shape of hold (ticket, note,
// occasion, until) reads the same in a worklist row as in the hooks'
// refusals (domain.DescribeHold).
func TestWorklistHoldTextIsDomains(t *testing.T) {
	runCalls(t, []call{{name: "held rows", user: PM1, url: worklistURL(OccStandard, "state=held"), status: 200,
		before: func(t testing.TB, app *tests.TestApp) {
			until := time.Now().AddDate(0, 0, 30).UTC().Format("2006-01-02") + " 12:00:00.000Z"
			for i, hold := range []map[string]any{
				{"reason": "requested", "note": "Call in spring", "until": until},
				{"reason": "declined", "note": "No", "occasion": OccStandard},
				{"reason": "other"},
			} {
				hold["client"] = create(t, app, "clients", map[string]any{"name": fmt.Sprintf("Held %d", i), "point": P1})
				create(t, app, "holds", hold)
			}
		},
		check: func(t testing.TB, app *tests.TestApp, body []byte) {
			page := decode[worklistPage](t, body)
			if len(page.Items) != 4 { // three here and C1b's ticket
				t.Fatalf("held rows %v, want 4", page.ids())
			}
			for _, item := range page.Items {
				hold, err := app.FindRecordById("holds", item.Hold.Id)
				if err != nil {
					t.Fatal(err)
				}
				if want := domain.DescribeHold(app, hold); item.Hold.Text != want {
					t.Errorf("%s: hold text %q, domain.DescribeHold says %q", item.Client.Name, item.Hold.Text, want)
				}
			}
		}}})
}

// TestWorklistHolds covers holds for one occasion only and expired holds.
func TestWorklistHolds(t *testing.T) {
	var client string
	before := func(t testing.TB, app *tests.TestApp) {
		client = create(t, app, "clients", map[string]any{"name": "Альфа", "point": P1, "segment": "A", "stage": "regular"})
		create(t, app, "holds", map[string]any{"client": client, "reason": "declined", "occasion": OccSegmentA, "note": "Declined the A offer"})
		// an expired hold for every occasion no longer applies: until
		// yesterday at the client's point (until is a day, SPEC §3)
		create(t, app, "holds", map[string]any{"client": client, "reason": "requested",
			"until": occurrence.Today(time.Now(), "Europe/Moscow").AddDate(0, 0, -1).Format(time.DateOnly)})
	}
	stateOf := func(want, holdOccasion string) func(t testing.TB, app *tests.TestApp, body []byte) {
		return func(t testing.TB, app *tests.TestApp, body []byte) {
			item := decode[worklistPage](t, body).entry(t, client)
			if item.State != want {
				t.Errorf("state = %s, want %s", item.State, want)
			}
			if want == "held" && (item.Hold == nil || item.Hold.Occasion != holdOccasion ||
				item.Hold.Text != "reason: declined, Declined the A offer, for «Offer for A clients» only, until lifted") {
				t.Errorf("hold = %+v, want the hold for %s only", item.Hold, holdOccasion)
			}
			if want != "held" && item.Hold != nil {
				t.Errorf("hold = %+v, want none", *item.Hold)
			}
		}
	}
	runCalls(t, []call{
		{name: "a hold for this occasion", user: PM1, url: worklistURL(OccSegmentA, "state=all"), before: before, status: 200,
			check: stateOf("held", OccSegmentA)},
		{name: "a hold for another occasion", user: PM1, url: worklistURL(OccStandard, "state=all"), before: before, status: 200,
			check: stateOf("pending", "")},
	})
}

func TestWorklistFilters(t *testing.T) {
	lostC1c := func(t testing.TB, app *tests.TestApp) {
		update(t, app, "clients", C1c, map[string]any{"stage": "lost"})
	}
	all := func(query ...string) string {
		return worklistURL(OccStandard, append([]string{"state=all"}, query...)...)
	}
	runCalls(t, []call{
		{name: "segment", user: SM, url: all("segment=A"), status: 200, check: wantIds(C1)},
		{name: "segment list", user: SM, url: all("segment=A,B"), status: 200, check: wantIds(C2, C1)},
		{name: "segment A+ sent unencoded", user: SM, url: all("segment=A+,C"), status: 200, check: wantIds(C1b)},
		{name: "segment A+ encoded", user: SM, url: all("segment=A%2B"), status: 200, check: wantIds()},
		{name: "unknown segment", user: SM, url: all("segment=Z"), status: 400,
			expect: []string{paramError("segment", "validation_invalid_value")}},
		{name: "stage", user: SM, url: all("stage=new"), status: 200, check: wantIds(C1b)},
		{name: "unknown stage", user: SM, url: all("stage=gone"), status: 400,
			expect: []string{paramError("stage", "validation_invalid_value")}},
		{name: "lost clients are left out by default", user: SM, url: all(), before: lostC1c, status: 200,
			check: wantIds(C2, C1b, C1)},
		{name: "unless stage=lost asks for them", user: SM, url: all("stage=lost"), before: lostC1c, status: 200,
			check: wantIds(C1c)},
		{name: "tag", user: SM, url: all("tag=vip"), status: 200, check: wantIds(C1)},
		{name: "unknown tag", user: SM, url: all("tag=retail"), status: 200, check: wantIds()},
		{name: "manager", user: SM, url: all("manager=" + PM1), status: 200, check: wantIds(C1)},
		{name: "manager me", user: PM2, url: all("manager=me"), status: 200, check: wantIds(C2)},
		{name: "no manager", user: SM, url: all("manager=none"), status: 200, check: wantIds(C1c, C1b)},
		{name: "another point's manager reads as unknown to a point manager", user: PM1, url: all("manager=" + PM2), status: 400,
			expect: []string{paramError("manager", "validation_unknown_manager")}},
		{name: "unknown manager", user: SM, url: all("manager=nosuchuser00001"), status: 400,
			expect: []string{paramError("manager", "validation_unknown_manager")}},
		{name: "malformed manager", user: SM, url: all("manager=" + url.QueryEscape("x' OR 1=1")), status: 400,
			expect: []string{paramError("manager", "validation_invalid_id")}},
		{name: "q in Cyrillic, lower case", user: SM, url: all("q=" + url.QueryEscape("ромашка")), status: 200, check: wantIds(C1)},
		{name: "q in Cyrillic, upper case", user: SM, url: all("q=" + url.QueryEscape("РОМАШКА")), status: 200, check: wantIds(C1)},
		{name: "q in Latin, upper case", user: SM, url: all("q=ACME"), status: 200, check: wantIds(C2)},
		{name: "q finds the contact", user: PM1, url: all("q=" + url.QueryEscape("Ирина")), status: 200, check: wantIds(C1)},
		{name: "q with ё finds е", user: PM1, url: all("q=" + url.QueryEscape("ПЁТРОВА")), status: 200, check: wantIds(C1)},
		{name: "q is scoped", user: PM1, url: all("q=acme"), status: 200, check: wantIds()},
		{name: "q wildcards are literal", user: SM, url: all("q=%25"), status: 200, check: wantIds()},
		{name: "q underscore is literal", user: SM, url: all("q=_"), status: 200, check: wantIds()},
		{name: "q with SQL", user: SM, url: all("q=" + url.QueryEscape("' OR 1=1 --")), status: 200, check: wantIds()},
		{name: "q too long", user: SM, url: all("q=" + strings.Repeat("я", 201)), status: 400,
			expect: []string{paramError("q", "validation_too_long")}},
		{name: "filters combine", user: SM, url: all("segment=A,B,C", "stage=regular", "q="+url.QueryEscape("ООО")), status: 200,
			check: wantIds(C1)},
		{name: "unknown parameters are ignored", user: SM, url: all("sort=-name", "filter="+url.QueryEscape("1=1")), status: 200,
			check: wantIds(allByName...)},
	})
}

func TestWorklistPaging(t *testing.T) {
	pageOf := func(page, perPage int, ids ...string) func(t testing.TB, app *tests.TestApp, body []byte) {
		return func(t testing.TB, app *tests.TestApp, body []byte) {
			p := decode[worklistPage](t, body)
			if p.Page != page || p.PerPage != perPage || p.TotalItems != 4 || !slices.Equal(p.ids(), ids) {
				t.Errorf("page %d perPage %d total %d items %v, want %d %d 4 %v", p.Page, p.PerPage, p.TotalItems, p.ids(), page, perPage, ids)
			}
		}
	}
	all := func(query ...string) string {
		return worklistURL(OccStandard, append([]string{"state=all"}, query...)...)
	}
	runCalls(t, []call{
		{name: "first page", user: SM, url: all("perPage=2"), status: 200, check: pageOf(1, 2, C2, C1c)},
		{name: "second page", user: SM, url: all("perPage=2", "page=2"), status: 200, check: pageOf(2, 2, C1b, C1)},
		{name: "past the end", user: SM, url: all("perPage=2", "page=3"), status: 200, check: pageOf(3, 2)},
		{name: "perPage 500", user: SM, url: all("perPage=500"), status: 200, check: pageOf(1, 500, allByName...)},
		{name: "perPage 501", user: SM, url: all("perPage=501"), status: 400, expect: []string{paramError("perPage", "validation_out_of_range")}},
		{name: "perPage 0", user: SM, url: all("perPage=0"), status: 400, expect: []string{paramError("perPage", "validation_out_of_range")}},
		{name: "perPage not a number", user: SM, url: all("perPage=ten"), status: 400, expect: []string{paramError("perPage", "validation_out_of_range")}},
		{name: "perPage huge", user: SM, url: all("perPage=99999999999999999999999"), status: 400, expect: []string{paramError("perPage", "validation_out_of_range")}},
		{name: "page 0", user: SM, url: all("page=0"), status: 400, expect: []string{paramError("page", "validation_out_of_range")}},
		{name: "page negative", user: SM, url: all("page=-1"), status: 400, expect: []string{paramError("page", "validation_out_of_range")}},
		{name: "page fractional", user: SM, url: all("page=1.5"), status: 400, expect: []string{paramError("page", "validation_out_of_range")}},
	})
}

func TestWorklistMessage(t *testing.T) {
	var starts time.Time
	before := func(t testing.TB, app *tests.TestApp) {
		update(t, app, "occasions", OccStandard, map[string]any{
			"template": "Здравствуйте, {{Contact}}! {{ manager }} из {{point}}: {{years}} лет вместе, {{date}} 🎉"})
		update(t, app, "clients", C1, map[string]any{"since": "2015-03-10 00:00:00.000Z"})
		occasion, err := app.FindRecordById("occasions", OccStandard)
		if err != nil {
			t.Fatal(err)
		}
		starts = occasion.GetDateTime("starts").Time()
	}
	check := func(caller string) func(t testing.TB, app *tests.TestApp, body []byte) {
		return func(t testing.TB, app *tests.TestApp, body []byte) {
			page := decode[worklistPage](t, body)
			date := starts.Format("02.01.2006")
			years := starts.Year() - 2015
			if starts.Before(time.Date(starts.Year(), time.March, 10, 0, 0, 0, 0, time.UTC)) {
				years--
			}

			c1 := page.entry(t, C1)
			want := fmt.Sprintf("Здравствуйте, Ирина Петрова! Olga Moscow из Moscow: %d лет вместе, %s 🎉", years, date)
			if c1.Message != want || len(c1.Missing) != 0 || c1.Date != starts.Format(time.DateOnly) {
				t.Errorf("C1: message %q missing %v date %s, want %q, no missing, %s", c1.Message, c1.Missing, c1.Date, want, starts.Format(time.DateOnly))
			}
			// C1b has no contact (the client name stands in), no manager
			// (the caller's name stands in) and no since date
			c1b := page.entry(t, C1b)
			want = fmt.Sprintf("Здравствуйте, ИП Кузнецов! %s из Moscow:  лет вместе, %s 🎉", caller, date)
			if c1b.Message != want || !slices.Equal(c1b.Missing, []string{"years"}) {
				t.Errorf("C1b: message %q missing %v, want %q, [years]", c1b.Message, c1b.Missing, want)
			}
		}
	}
	runCalls(t, []call{
		{name: "as the client's manager's colleague", user: PM1b, url: worklistURL(OccStandard, "state=all"), before: before, status: 200,
			check: check("Pavel Moscow")},
		{name: "as a service manager", user: SM, url: worklistURL(OccStandard, "state=all"), before: before, status: 200,
			check: check("Sergey Service")},
		{name: "no template: an empty message, nothing missing", user: PM1, url: worklistURL(OccMandatory, "state=all"), status: 200,
			check: func(t testing.TB, app *tests.TestApp, body []byte) {
				for _, item := range decode[worklistPage](t, body).Items {
					if item.Message != "" || item.Missing == nil || len(item.Missing) != 0 {
						t.Errorf("%s: message %q missing %v, want empty and []", item.Client.Name, item.Message, item.Missing)
					}
				}
			}},
	})
}

func TestWorklistLinks(t *testing.T) {
	before := func(t testing.TB, app *tests.TestApp) {
		update(t, app, "occasions", OccStandard, map[string]any{"title": "Статья & советы", "template": "Привет, {{contact}} & co + 🎉"})
	}
	// "Привет, John Smith & co + 🎉" percent-encoded as UTF-8, spaces as %20
	const text = "%D0%9F%D1%80%D0%B8%D0%B2%D0%B5%D1%82%2C%20John%20Smith%20%26%20co%20%2B%20%F0%9F%8E%89"
	runCalls(t, []call{
		{name: "whatsapp and mail carry the message", user: SM, url: worklistURL(OccStandard, "state=all"), before: before, status: 200,
			check: func(t testing.TB, app *tests.TestApp, body []byte) {
				page := decode[worklistPage](t, body)
				c2 := page.entry(t, C2)
				want := map[string]string{
					"whatsapp": "https://wa.me/447700900123?text=" + text,
					"email":    "mailto:john@acme.test?subject=%D0%A1%D1%82%D0%B0%D1%82%D1%8C%D1%8F%20%26%20%D1%81%D0%BE%D0%B2%D0%B5%D1%82%D1%8B&body=" + text,
				}
				if fmt.Sprint(c2.Links) != fmt.Sprint(want) {
					t.Errorf("C2 links = %v\nwant %v", c2.Links, want)
				}
				// the links decode back to the message
				u, err := url.Parse(c2.Links["whatsapp"])
				if err != nil || u.Query().Get("text") != c2.Message {
					t.Errorf("wa.me text decodes to %q, want %q", u.Query().Get("text"), c2.Message)
				}

				c1 := page.entry(t, C1)
				want = map[string]string{"telegram": "https://t.me/romashka_ltd", "phone": "tel:+74951234567"}
				if fmt.Sprint(c1.Links) != fmt.Sprint(want) {
					t.Errorf("C1 links = %v, want %v", c1.Links, want)
				}
				if c1b := page.entry(t, C1b); c1b.Links == nil || len(c1b.Links) != 0 {
					t.Errorf("C1b links = %v, want {}", c1b.Links)
				}
			}},
	})
}

// TestWorklistPersonal covers a birthday occasion: only clients whose own
// birthday is in its window are listed, with their own date and period.
func TestWorklistPersonal(t *testing.T) {
	var birthday, touch string
	var date time.Time
	before := func(withTouch bool) func(t testing.TB, app *tests.TestApp) {
		return func(t testing.TB, app *tests.TestApp) {
			birthday = create(t, app, "occasions", map[string]any{"title": "Birthday", "kind": "standard", "category": "greeting",
				"trigger": "birthday", "template": "С днём рождения, {{contact}}! {{date}}"})
			date = occurrence.Today(time.Now(), "Europe/Moscow").AddDate(0, 0, 3)
			born := func(d time.Time) string { // a leap year, so that 29 February exists
				return time.Date(1984, d.Month(), d.Day(), 0, 0, 0, 0, time.UTC).Format("2006-01-02 15:04:05.000Z")
			}
			SetContact(t, app, C1, map[string]any{"birthday": born(date)})
			SetContact(t, app, C1c, map[string]any{"birthday": born(date.AddDate(0, 0, 60))})
			SetContact(t, app, C2, map[string]any{"birthday": born(date)})
			if withTouch {
				touch = mark(t, app, C1, birthday, "done", PM1)
			}
		}
	}
	check := func(withTouch bool) func(t testing.TB, app *tests.TestApp, body []byte) {
		return func(t testing.TB, app *tests.TestApp, body []byte) {
			page := decode[worklistPage](t, body)
			if !slices.Equal(page.ids(), []string{C1}) || page.TotalItems != 1 || page.Counts["all"] != 1 {
				t.Fatalf("clients = %v (total %d, counts %v), want only C1", page.ids(), page.TotalItems, page.Counts)
			}
			item := page.Items[0]
			period := fmt.Sprint(date.Year()) + "/" + CT1 // a birthday's occurrence is per contact
			if item.Date != date.Format(time.DateOnly) || item.Period != period ||
				item.Message != "С днём рождения, Ирина Петрова! "+date.Format("02.01.2006") {
				t.Errorf("date %s period %s message %q, want %s %s and the birthday greeting", item.Date, item.Period, item.Message, date.Format(time.DateOnly), period)
			}
			if withTouch && (item.State != "done" || item.Touch == nil || item.Touch.Id != touch) {
				t.Errorf("state %s touch %+v, want done by %s", item.State, item.Touch, touch)
			}
			if !withTouch && item.State != "pending" {
				t.Errorf("state %s, want pending", item.State)
			}
		}
	}
	// the occasion's id is known only once the app exists
	for _, withTouch := range []bool{false, true} {
		name := map[bool]string{false: "pending", true: "done"}[withTouch]
		t.Run(name, func(t *testing.T) {
			app := New(t)
			before(withTouch)(t, app)
			status, body := get(t, app, PM1, worklistURL(birthday, "state=all"))
			if status != 200 {
				t.Fatalf("status %d: %s", status, body)
			}
			check(withTouch)(t, app, body)
		})
	}
}

// TestWorklistNewYearSplit: two points whose local dates are always a day
// or two apart (UTC+14 and UTC-11) and a yearly occasion dated on the
// eastern point's today, so the eastern point is already in this year's
// occurrence and the western one still in last year's: each point's rows
// must use its own period.
func TestWorklistNewYearSplit(t *testing.T) {
	app := New(t)
	update(t, app, "points", P2, map[string]any{"timezone": "Pacific/Kiritimati"})
	update(t, app, "points", P1, map[string]any{"timezone": "Pacific/Pago_Pago"})
	east := occurrence.Today(time.Now(), "Pacific/Kiritimati")
	yearly := create(t, app, "occasions", map[string]any{"title": "Company day", "kind": "mandatory", "repeat": "yearly",
		"starts": east.Format("2006-01-02 15:04:05.000Z")})
	eastPeriod := fmt.Sprint(east.Year())
	westPeriod := fmt.Sprint(east.Year() - 1)
	for _, touch := range []struct{ client, period string }{{C1, westPeriod}, {C2, westPeriod}, {C1b, eastPeriod}} {
		_, err := app.DB().Insert("touches", dbx.Params{"id": "split" + touch.client[:10], "client": touch.client,
			"occasion": yearly, "period": touch.period, "status": "done", "author": SM}).Execute()
		if err != nil {
			t.Fatal(err)
		}
	}
	status, body := get(t, app, SM, worklistURL(yearly, "state=all"))
	if status != 200 {
		t.Fatalf("status %d: %s", status, body)
	}
	page := decode[worklistPage](t, body)
	want := map[string]string{C1: "done " + westPeriod, C1b: "pending " + westPeriod, C1c: "pending " + westPeriod, C2: "pending " + eastPeriod}
	for _, item := range page.Items {
		if got := item.State + " " + item.Period; got != want[item.Client.Id] {
			t.Errorf("%s: %s, want %s", item.Client.Name, got, want[item.Client.Id])
		}
	}
	if len(page.Items) != 4 || page.Counts["done"] != 1 || page.Counts["pending"] != 3 {
		t.Errorf("items %v counts %v, want 4 clients, 1 done, 3 pending", page.ids(), page.Counts)
	}
}

// TestWorklistQueryPlan checks that the worklist's and the stats' queries
// read through the indexes: no full scan of clients' rows, touches or
// holds probed per client (the holds are read whole only to list the held
// clients, they are few; every point's stats count the clients on an
// index), marks and holds probed through their indexes, and the counts'
// marks read from mark_counts by occasion and period.
func TestWorklistQueryPlan(t *testing.T) {
	app := New(t)
	queries := captureQueries(t, app)
	for _, c := range []struct{ user, url string }{
		{PM1, worklistURL(OccStandard)}, {PM1, worklistURL(OccStandard, "state=all")},
		{PM1, "/api/touchbase/stats?occasion=" + OccStandard}, {SM, "/api/touchbase/stats?occasion=" + OccStandard},
	} {
		if status, body := get(t, app, c.user, c.url); status != 200 {
			t.Fatalf("%s: %d %s", c.url, status, body)
		}
	}
	// counts + page, counts + page, a point's stats (one query over its
	// clients), every point's stats (clients, marks, held)
	if len(*queries) != 8 {
		t.Fatalf("captured %d queries, want 8: %v", len(*queries), *queries)
	}
	var plans string
	for _, q := range *queries {
		plan := explain(t, app, q)
		plans += plan + "\n"
		// every point's stats count the company's clients in one pass
		// over an index (SCAN c USING COVERING INDEX), never their rows
		indexOnly := strings.ReplaceAll(plan, "SCAN c USING COVERING INDEX", "")
		for _, scan := range []string{"SCAN c\n", "SCAN t\n", "SCAN h2\n", "SCAN c ", "SCAN t ", "SCAN h2 "} {
			if strings.Contains(indexOnly+"\n", scan) {
				t.Errorf("plan has a full %s:\n%s\n%s", strings.TrimSpace(scan), plan, q)
			}
		}
	}
	for _, want := range []string{"idx_touches_once (client=? AND occasion=? AND period=?)", "idx_holds_client (client=?)",
		"SEARCH c USING PRIMARY KEY (occasion=? AND period=?", "idx_touches_occasion (occasion=? AND period=?)"} {
		if !strings.Contains(plans, want) {
			t.Errorf("no plan uses %s:\n%s", want, plans)
		}
	}
}

// captureQueries records the SQL (with parameters inlined) of every query
// on the clients table that app runs from now on.
func captureQueries(t testing.TB, app *tests.TestApp) *[]string {
	t.Helper()
	db, ok := app.ConcurrentDB().(*dbx.DB)
	if !ok {
		t.Skip("the concurrent db is not a *dbx.DB")
	}
	var queries []string
	db.QueryLogFunc = func(_ context.Context, _ time.Duration, sql string, _ *sql.Rows, _ error) {
		if strings.Contains(sql, "clients c") {
			queries = append(queries, sql)
		}
	}
	t.Cleanup(func() { db.QueryLogFunc = nil })
	return &queries
}

func explain(t testing.TB, app core.App, query string) string {
	t.Helper()
	var plan []struct {
		Detail string `db:"detail"`
	}
	if err := app.DB().NewQuery("EXPLAIN QUERY PLAN " + query).All(&plan); err != nil {
		t.Fatalf("explain: %v\n%s", err, query)
	}
	lines := make([]string, len(plan))
	for i, p := range plan {
		lines[i] = p.Detail
	}
	return strings.Join(lines, "\n")
}

// get runs one request against app's router, outside tests.ApiScenario,
// for tests that need the app before they know the URL.
func get(t testing.TB, app *tests.TestApp, user, target string) (int, []byte) {
	t.Helper()
	mux := router(t, app)
	req := httptest.NewRequest(http.MethodGet, target, nil)
	for k, v := range Auth(user) {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, req)
	return rec.Code, rec.Body.Bytes()
}

var routers = map[*tests.TestApp]http.Handler{}

func router(t testing.TB, app *tests.TestApp) http.Handler {
	t.Helper()
	if mux := routers[app]; mux != nil {
		return mux
	}
	r, err := apis.NewRouter(app)
	if err != nil {
		t.Fatal(err)
	}
	var mux http.Handler
	err = app.OnServe().Trigger(&core.ServeEvent{App: app, Router: r}, func(e *core.ServeEvent) error {
		var err error
		mux, err = e.Router.BuildMux()
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	routers[app] = mux
	t.Cleanup(func() { delete(routers, app) })
	return mux
}

// BenchmarkWorklist measures the worklist for a point manager with 5,000
// clients at their point: the default page, and all states with a
// Cyrillic search. Figures go to BENCHMARKS.md, not into assertions.
func BenchmarkWorklist(b *testing.B) {
	app := New(b)
	seedClients(b, app, P1, 5000)
	for name, u := range map[string]string{
		"pending": worklistURL(OccStandard),
		"search":  worklistURL(OccStandard, "state=all", "q="+url.QueryEscape("клиент 01")),
	} {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if status, body := get(b, app, PM1, u); status != 200 {
					b.Fatalf("%d %s", status, body)
				}
			}
		})
	}
}

// seedClients inserts n clients at point (a third of them touched for
// OccStandard, one in fifty held) straight into the tables, for volume.
func seedClients(t testing.TB, app core.App, point string, n int) {
	t.Helper()
	now := domain.DBTime(time.Now())
	err := app.RunInTransaction(func(tx core.App) error {
		for i := 0; i < n; i++ {
			id := fmt.Sprintf("bulk%011d", i)
			name := fmt.Sprintf("Клиент %05d", i)
			_, err := tx.DB().Insert("clients", dbx.Params{"id": id, "name": name, "point": point,
				"segment": []string{"A+", "A", "B", "C", "D"}[i%5], "stage": "regular",
				"search": domain.NormalizeSearch(name + " Контакт"), "tags": `["bulk"]`, "created": now, "updated": now}).Execute()
			if err != nil {
				return err
			}
			if i%3 == 0 {
				_, err = tx.DB().Insert("touches", dbx.Params{"id": fmt.Sprintf("bulkt%010d", i), "client": id,
					"occasion": OccStandard, "period": "", "status": "done", "created": now, "updated": now}).Execute()
				if err != nil {
					return err
				}
			}
			if i%50 == 0 {
				_, err = tx.DB().Insert("holds", dbx.Params{"id": fmt.Sprintf("bulkh%010d", i), "client": id,
					"reason": "requested", "created": now, "updated": now}).Execute()
				if err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestNoServerErrors sends odd values of every parameter to every route:
// each answer is a 2xx or a 4xx naming the parameter, never a 500.
func TestNoServerErrors(t *testing.T) {
	app := New(t)
	odd := []string{"", " ", "%00", "'", `"`, `\`, "%25", "_", "*", "-1", "0", "1e9", "99999999999999999999999",
		"null", "[]", "{}", "a,b", ",", "A+", "ромашка", "🎉", strings.Repeat("x", 5000), "' OR 1=1 --", "1; DROP TABLE clients"}
	params := []string{"occasion", "state", "segment", "stage", "tag", "manager", "point", "q", "page", "perPage", "level"}
	routes := map[string]string{
		"worklist": worklistURL(OccStandard),
		"due":      "/api/touchbase/due?",
		"stats":    statsURL(OccStandard),
	}
	for name, base := range routes {
		for _, param := range params {
			for _, value := range odd {
				for _, user := range []string{SM, PM1} {
					prefix := base
					if param == "occasion" {
						prefix = base[:strings.Index(base, "?")+1]
					}
					target := prefix + "&" + param + "=" + url.QueryEscape(value)
					if value == "%00" || value == "%25" {
						target = prefix + "&" + param + "=" + value
					}
					status, body := get(t, app, user, target)
					if status >= 500 || status == 0 {
						t.Errorf("%s %s=%q as %s: %d %s", name, param, value, user, status, body)
					}
					if status == 400 && !strings.Contains(string(body), `"data":{"`) {
						t.Errorf("%s %s=%q as %s: 400 without naming the parameter: %s", name, param, value, user, body)
					}
				}
			}
		}
	}
}

// TestWorklistBirthdayPerContact: for a birthday occasion the rows are
// per contact (SPEC §6): two people of one client with a birthday are two
// rows, each addressing its own person, and marking one leaves the other
// pending.
func TestWorklistBirthdayPerContact(t *testing.T) {
	var birthday string
	before := func(mark bool) func(t testing.TB, app *tests.TestApp) {
		return func(t testing.TB, app *tests.TestApp) {
			birthday = create(t, app, "occasions", map[string]any{"title": "Birthday", "kind": "standard", "category": "greeting",
				"trigger": "birthday", "template": "С днём рождения, {{contact}} ({{position}})!"})
			date := occurrence.Today(time.Now(), "Europe/Moscow").AddDate(0, 0, 2)
			born := time.Date(1984, date.Month(), date.Day(), 12, 0, 0, 0, time.UTC).Format("2006-01-02 15:04:05.000Z")
			update(t, app, "contacts", CT1, map[string]any{"birthday": born})
			update(t, app, "contacts", CT1b, map[string]any{"birthday": born})
			if mark {
				touches, _ := app.FindCollectionByNameOrId("touches")
				touch := core.NewRecord(touches)
				touch.Load(map[string]any{"client": C1, "occasion": birthday, "contact": CT1b, "status": "done", "author": PM1})
				if err := app.RunInTransaction(func(tx core.App) error { return tx.Save(touch) }); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	check := func(mark bool) func(t testing.TB, app *tests.TestApp, body []byte) {
		return func(t testing.TB, app *tests.TestApp, body []byte) {
			page := decode[worklistPage](t, body)
			if page.TotalItems != 2 || len(page.Items) != 2 {
				t.Fatalf("%d rows (total %d), want one per contact", len(page.Items), page.TotalItems)
			}
			got := map[string]string{}
			for _, item := range page.Items {
				if item.Client.Id != C1 || item.Contact == nil {
					t.Fatalf("row %+v, want C1 with a contact", item)
				}
				got[item.Contact.Id] = item.State + " " + item.Message
			}
			want := map[string]string{
				CT1:  "pending С днём рождения, Ирина Петрова (Генеральный директор)!",
				CT1b: "pending С днём рождения, Алексей Смирнов (Бухгалтер)!",
			}
			if mark {
				want[CT1b] = "done С днём рождения, Алексей Смирнов (Бухгалтер)!"
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("rows %v\nwant %v", got, want)
			}
		}
	}
	for _, mark := range []bool{false, true} {
		t.Run(fmt.Sprint("marked ", mark), func(t *testing.T) {
			app := New(t)
			before(mark)(t, app)
			status, body := get(t, app, PM1, worklistURL(birthday, "state=all"))
			if status != 200 {
				t.Fatalf("status %d: %s", status, body)
			}
			check(mark)(t, app, body)
		})
	}
}

// TestWorklistAddressesByRole: an occasion for some roles addresses the
// primary contact when its role matches, else the first matching contact
// by name (SPEC §5); {{contact}} and {{position}} render that person, and
// a mark without a contact is addressed to them too.
func TestWorklistAddressesByRole(t *testing.T) {
	for _, c := range []struct {
		roles   []string
		want    string
		message string
	}{
		{nil, CT1, "Ирина Петрова, Генеральный директор"},
		{[]string{"decision_maker", "finance"}, CT1, "Ирина Петрова, Генеральный директор"},
		{[]string{"finance"}, CT1b, "Алексей Смирнов, Бухгалтер"},
		{[]string{"technical"}, "", "ООО Ромашка, "},
	} {
		t.Run(fmt.Sprint(c.roles), func(t *testing.T) {
			app := New(t)
			occasion := create(t, app, "occasions", map[string]any{"title": "Invoice news", "kind": "standard",
				"template": "{{contact}}, {{position}}", "roles": c.roles})
			status, body := get(t, app, PM1, worklistURL(occasion, "state=all", "q=ромашка"))
			if status != 200 {
				t.Fatalf("status %d: %s", status, body)
			}
			page := decode[worklistPage](t, body)
			if len(page.Items) != 1 {
				t.Fatalf("%d rows, want C1's", len(page.Items))
			}
			item := page.Items[0]
			got := ""
			if item.Contact != nil {
				got = item.Contact.Id
			}
			if got != c.want || item.Message != c.message {
				t.Errorf("contact %q message %q, want %q %q", got, item.Message, c.want, c.message)
			}
			touch, err := MarkTouch(app, C1, occasion, "done", PM1)
			if err != nil {
				t.Fatal(err)
			}
			if touch.GetString("contact") != c.want {
				t.Errorf("the mark was addressed to %q, want %q", touch.GetString("contact"), c.want)
			}
		})
	}
}

// TestWorklistHoldTextInRequestLanguage: a held row's text is worded in the
// request's Accept-Language, as domain.WordHoldIn words it.
func TestWorklistHoldTextInRequestLanguage(t *testing.T) {
	app := New(t)
	server := Serve(t, app)
	for _, lang := range []string{"ru", "en"} {
		req, _ := http.NewRequest(http.MethodGet, server.URL+worklistURL(OccStandard, "state=held"), nil)
		req.Header.Set("Authorization", Auth(PM1)["Authorization"])
		req.Header.Set("Accept-Language", lang)
		res, err := server.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(res.Body)
		res.Body.Close()
		page := decode[worklistPage](t, raw)
		if len(page.Items) == 0 {
			t.Fatalf("%s: no held rows: %s", lang, raw)
		}
		for _, item := range page.Items {
			hold, err := app.FindRecordById("holds", item.Hold.Id)
			if err != nil {
				t.Fatal(err)
			}
			if want := domain.WordHoldIn(lang, domain.HoldFactsOf(app, hold)); item.Hold.Text != want {
				t.Errorf("%s: hold text %q, want %q", lang, item.Hold.Text, want)
			}
		}
	}
}
