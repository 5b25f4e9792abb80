package faults_test

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	. "touchbase/internal/testapp"
)

// Bad input through the real HTTP API (SPEC §10): every answer is a 4xx
// that names the parameter or field (or a 200 that ignores what it does
// not know), never a 500, and nothing is written. The collections' field
// checks are in hooks/badinput_test.go; these are the custom routes and
// what every collection list and create shares.

// badRequest is one request and the answer it must get: a status and the
// parameter the error's data must name ("" = no name required, for a 200
// or for refusals of the body as a whole).
type badRequest struct {
	name, user, method, url, contentType, body string
	status                                     int
	names                                      string

	// size > 0 replaces body with a generated JSON object of that many
	// bytes; chunked sends it without a Content-Length.
	size    int64
	chunked bool
}

// bigBody is a JSON object of exactly size bytes: {"name":"xxx…"}.
func bigBody(size int64) io.Reader {
	head, tail := `{"name":"`, `"}`
	fill := size - int64(len(head)+len(tail))
	return io.MultiReader(strings.NewReader(head), io.LimitReader(repeatByte('x'), fill), strings.NewReader(tail))
}

type repeatByte byte

func (b repeatByte) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(b)
	}
	return len(p), nil
}

func TestBadInputRoutes(t *testing.T) {
	long := func(n int) string { return url.QueryEscape(strings.Repeat("я", n)) }
	worklist := "/api/touchbase/worklist?occasion=" + OccStandard
	stats := "/api/touchbase/stats?occasion=" + OccStandard
	cases := []badRequest{
		{name: "worklist: no occasion", url: "/api/touchbase/worklist", status: 400, names: "occasion"},
		{name: "worklist: unknown occasion", url: "/api/touchbase/worklist?occasion=nosuchoccasion0", status: 400, names: "occasion"},
		{name: "worklist: another point's occasion", url: "/api/touchbase/worklist?occasion=" + OccP2Only, status: 400, names: "occasion"},
		{name: "worklist: occasion is a path", url: "/api/touchbase/worklist?occasion=..%2F..%2Fetc%2Fpasswd", status: 400, names: "occasion"},
		{name: "worklist: two occasions", url: worklist + "&occasion=" + OccMandatory, status: 200},
		{name: "worklist: huge page", url: worklist + "&page=99999999", status: 400, names: "page"},
		{name: "worklist: page beyond int64", url: worklist + "&page=99999999999999999999999", status: 400, names: "page"},
		{name: "worklist: page zero", url: worklist + "&page=0", status: 400, names: "page"},
		{name: "worklist: negative page", url: worklist + "&page=-1", status: 400, names: "page"},
		{name: "worklist: page as text", url: worklist + "&page=two", status: 400, names: "page"},
		{name: "worklist: page in float notation", url: worklist + "&page=1e3", status: 400, names: "page"},
		{name: "worklist: huge perPage", url: worklist + "&perPage=1000000", status: 400, names: "perPage"},
		{name: "worklist: perPage zero", url: worklist + "&perPage=0", status: 400, names: "perPage"},
		{name: "worklist: last allowed page of 500", url: worklist + "&perPage=500&page=1000000", status: 200},
		{name: "worklist: unknown state", url: worklist + "&state=maybe", status: 400, names: "state"},
		{name: "worklist: unknown segment", url: worklist + "&segment=Z", status: 400, names: "segment"},
		{name: "worklist: unknown stage", url: worklist + "&stage=dead", status: 400, names: "stage"},
		{name: "worklist: over-long q", url: worklist + "&q=" + long(201), status: 400, names: "q"},
		{name: "worklist: over-long tag", url: worklist + "&tag=" + long(101), status: 400, names: "tag"},
		{name: "worklist: malformed manager", url: worklist + "&manager=%27%20OR%201%3D1", status: 400, names: "manager"},
		{name: "worklist: unknown manager", url: worklist + "&manager=nosuchuser00000", status: 400, names: "manager"},
		{name: "worklist: another point's manager", url: worklist + "&manager=" + PM2, status: 400, names: "manager"},
		{name: "worklist: another point", url: worklist + "&point=" + P2, status: 403, names: "point"},
		{name: "worklist: unknown point", user: SM, url: worklist + "&point=nosuchpoint0000", status: 400, names: "point"},
		{name: "worklist: unknown parameters are ignored", url: worklist + "&sort=-name&filter=((&expand=point&fields=id&foo=bar", status: 200},
		{name: "worklist: LIKE wildcards are text", url: worklist + "&q=%25_%5C", status: 200},
		{name: "worklist: invalid UTF-8 in q", url: worklist + "&q=%FF%FE", status: 200},

		{name: "due: unknown level", url: "/api/touchbase/due?level=late", status: 400, names: "level"},
		{name: "due: huge perPage", url: "/api/touchbase/due?perPage=501", status: 400, names: "perPage"},
		{name: "due: huge page", url: "/api/touchbase/due?page=1000001", status: 400, names: "page"},
		{name: "due: another point", url: "/api/touchbase/due?point=" + P2, status: 403, names: "point"},
		{name: "due: unknown parameters are ignored", url: "/api/touchbase/due?occasion=x&state=y&from=z", status: 200},

		{name: "plan: invalid date", url: "/api/touchbase/plan?from=31.02.2027", status: 400, names: "from"},
		{name: "plan: impossible date", url: "/api/touchbase/plan?from=2027-02-30", status: 400, names: "from"},
		{name: "plan: invalid month", url: "/api/touchbase/plan?to=2027-13-01", status: 400, names: "to"},
		{name: "plan: reversed range", url: "/api/touchbase/plan?from=2027-03-01&to=2027-02-01", status: 400, names: "to"},
		{name: "plan: ten-year range", url: "/api/touchbase/plan?from=2020-01-01&to=2030-01-01", status: 400, names: "to"},
		{name: "plan: year 0", url: "/api/touchbase/plan?from=0000-01-01", status: 200},
		{name: "plan: the end of time", url: "/api/touchbase/plan?from=9999-12-01", status: 200},
		{name: "plan: another point", url: "/api/touchbase/plan?point=" + P2, status: 403, names: "point"},

		{name: "stats: no occasion", url: "/api/touchbase/stats", status: 400, names: "occasion"},
		{name: "stats: another point's occasion", url: "/api/touchbase/stats?occasion=" + OccP2Only, status: 400, names: "occasion"},
		{name: "stats: unknown segment", url: stats + "&segment=A,Z", status: 400, names: "segment"},
		{name: "stats: another point", url: stats + "&point=" + P2, status: 403, names: "point"},

		{name: "timeline: another point's client", url: "/api/touchbase/clients/" + C2 + "/timeline", status: 404},
		{name: "timeline: unknown client", url: "/api/touchbase/clients/nosuchclient000/timeline", status: 404},
		{name: "timeline: limit zero", url: "/api/touchbase/clients/" + C1 + "/timeline?limit=0", status: 400, names: "limit"},
		{name: "timeline: huge limit", url: "/api/touchbase/clients/" + C1 + "/timeline?limit=1000000", status: 400, names: "limit"},
		{name: "timeline: limit as text", url: "/api/touchbase/clients/" + C1 + "/timeline?limit=all", status: 400, names: "limit"},

		{name: "export: another point", url: "/api/touchbase/export/touches.csv?point=" + P2, status: 403, names: "point"},
		{name: "export: unknown status", url: "/api/touchbase/export/touches.csv?status=maybe", status: 400, names: "status"},
		{name: "export: invalid date", url: "/api/touchbase/export/touches.csv?from=yesterday", status: 400, names: "from"},
		{name: "export: reversed range", url: "/api/touchbase/export/touches.csv?from=2027-03-01&to=2027-02-01", status: 400, names: "to"},
		{name: "export: another point's occasion", url: "/api/touchbase/export/touches.csv?occasion=" + OccP2Only, status: 400, names: "occasion"},
		{name: "export: unknown segment", url: "/api/touchbase/export/touches.csv?segment=Q", status: 400, names: "segment"},

		{name: "routes do not take writes", method: http.MethodPost, url: worklist, body: `{"state":"done"}`, status: 404},
	}
	runBadRequests(t, cases)
}

// TestBadInputCollections sends what every collection's list and create
// must survive: malformed sorts and filters, huge or broken pages, bodies
// of the wrong content type, broken JSON and bodies over the size limit.
func TestBadInputCollections(t *testing.T) {
	app := New(t)
	collections, err := app.FindAllCollections()
	if err != nil {
		t.Fatal(err)
	}
	var cases []badRequest
	for _, c := range collections {
		if slices.Contains(systemCollections, c.Name) {
			continue
		}
		records := "/api/collections/" + c.Name + "/records"
		user := SM
		if c.ListRule == nil { // superusers only (digests): the bad input reaches it as theirs
			user = Superuser
		}
		add := func(name, method, path, contentType, body string, status int, names string) {
			cases = append(cases, badRequest{name: c.Name + ": " + name, user: user, method: method, url: path,
				contentType: contentType, body: body, status: status, names: names})
		}
		oversized := func(name string, chunked bool) {
			cases = append(cases, badRequest{name: c.Name + ": " + name, user: user, method: http.MethodPost, url: records,
				size: 64 << 20, chunked: chunked, status: 413})
		}
		add("sort by an unknown field", "GET", records+"?sort=nosuchfield", "", "", 400, "sort")
		add("sort with an empty part", "GET", records+"?sort=id,,", "", "", 400, "sort")
		add("malformed filter", "GET", records+"?filter="+url.QueryEscape(strings.Repeat("(", 300)), "", "", 400, "filter")
		add("filter on an unknown field", "GET", records+"?filter="+url.QueryEscape("nosuchfield = 1"), "", "", 400, "filter")
		add("page as text", "GET", records+"?page=two", "", "", 400, "page")
		add("page beyond int64", "GET", records+"?page=99999999999999999999", "", "", 400, "page")
		add("perPage as text", "GET", records+"?perPage=all", "", "", 400, "perPage")
		add("huge perPage is capped", "GET", records+"?perPage=1000000", "", "", 200, "")
		add("far page is empty", "GET", records+"?page=1000000", "", "", 200, "")
		add("unknown expand and query parameters are ignored", "GET", records+"?expand=nosuch&foo=bar", "", "", 200, "")
		add("text/plain body", "POST", records, "text/plain", `{"name":"X"}`, 400, "")
		add("XML body", "POST", records, "application/xml", `<record name="X"/>`, 400, "")
		add("JSON array body", "POST", records, "", `[{"name":"X"}]`, 400, "")
		add("JSON string body", "POST", records, "", `"X"`, 400, "")
		add("truncated JSON", "POST", records, "", `{"name":`, 400, "")
		oversized("64 MB body", false)
		if c.Name == "touches" { // streaming 32 MB takes a while: once is enough
			oversized("64 MB body without a Content-Length", true)
		}
		add("multipart with a broken boundary", "POST", records, "multipart/form-data; boundary=nope", "--x\r\n", 400, "")
	}
	runBadRequests(t, cases)
}

// runBadRequests sends every case to one app and checks the answer and
// that the database did not change.
func runBadRequests(t *testing.T, cases []badRequest) {
	app := New(t)
	h := handler(t, app)
	before := dbState(t, app)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			user, method := c.user, c.method
			if user == "" {
				user = PM1
			}
			if method == "" {
				method = http.MethodGet
			}
			var res answer
			switch {
			case c.size > 0 && c.chunked:
				res = doBody(h, method, c.url, user, "application/json", bigBody(c.size), -1)
			case c.size > 0:
				res = doBody(h, method, c.url, user, "application/json", bigBody(c.size), c.size)
			default:
				res = do(h, method, c.url, user, c.contentType, c.body)
			}
			named := fieldsNamed(res)
			switch {
			case res.Status >= 500:
				t.Errorf("%s %s: %d %s", method, c.url, res.Status, truncate(res.Body))
			case res.Status != c.status:
				t.Errorf("%s %s: got %d, want %d: %s", method, c.url, res.Status, c.status, truncate(res.Body))
			case c.names != "" && !slices.Contains(named, c.names):
				t.Errorf("%s %s: the %d names %v, want %q: %s", method, c.url, res.Status, named, c.names, truncate(res.Body))
			case res.Status >= 400 && (res.JSON == nil || fmt.Sprint(res.JSON["message"]) == ""):
				t.Errorf("%s %s: a %d without a JSON message: %s", method, c.url, res.Status, truncate(res.Body))
			}
			if after := dbState(t, app); after != before {
				t.Errorf("%s %s changed the database", method, c.url)
				before = after
			}
		})
	}
}

// TestBadInputForeignIds names records a caller may not use: another
// point's client, manager or point, unknown ids in every relation, and
// server-owned values. Each is a 400 naming the field (a 404 where the
// record itself is out of sight), and nothing is written.
func TestBadInputForeignIds(t *testing.T) {
	c := func(collection string) string { return "/api/collections/" + collection + "/records" }
	cases := []badRequest{
		{name: "touch for another point's client", method: "POST", url: c("touches"), body: `{"client":"` + C2 + `","occasion":"` + OccStandard + `","status":"done"}`, status: 400, names: "client"},
		{name: "comment on another point's client", method: "POST", url: c("comments"), body: `{"client":"` + C2 + `","text":"hello"}`, status: 400, names: "client"},
		{name: "client in another point", method: "POST", url: c("clients"), body: `{"name":"X","point":"` + P2 + `"}`, status: 400, names: "point"},
		{name: "client managed by another point's manager", method: "POST", url: c("clients"), body: `{"name":"X","point":"` + P1 + `","manager":"` + PM2 + `"}`, status: 400, names: "manager"},
		{name: "client moved to another point", method: "PATCH", url: c("clients") + "/" + C1b, body: `{"point":"` + P2 + `"}`, status: 400, names: "point"},
		{name: "another point's touch changed", method: "PATCH", url: c("touches") + "/" + T2, body: `{"status":"skipped"}`, status: 404},
		{name: "another point's comment changed", method: "PATCH", url: c("comments") + "/" + CM2, body: `{"text":"mine now"}`, status: 404},
		{name: "comment forged as a touch comment", method: "POST", url: c("comments"), body: `{"client":"` + C1 + `","text":"x","kind":"touch"}`, status: 400, names: "kind"},
		{name: "comment linked to a touch", method: "POST", url: c("comments"), body: `{"client":"` + C1 + `","text":"x","touch":"` + T1 + `"}`, status: 400, names: "touch"},
		{name: "comment by someone else", method: "POST", url: c("comments"), body: `{"client":"` + C1 + `","text":"x","author":"` + PM1b + `"}`, status: 400, names: "author"},
		{name: "ticket for an unknown client", user: SM, method: "POST", url: c("tickets"), body: `{"client":"nosuchclient000","title":"X"}`, status: 400, names: "client"},
		{name: "ticket with an unknown status", user: SM, method: "POST", url: c("tickets"), body: `{"client":"` + C1 + `","title":"X","status":"closed"}`, status: 400, names: "status"},
		{name: "hold with an invalid date", user: SM, method: "POST", url: c("holds"), body: `{"client":"` + C1 + `","reason":"other","until":"tomorrow"}`, status: 400, names: "until"},
		{name: "hold for an unknown occasion", user: SM, method: "POST", url: c("holds"), body: `{"client":"` + C1 + `","reason":"declined","occasion":"nosuchoccasion0"}`, status: 400, names: "occasion"},
		{name: "hold with an unknown reason", user: SM, method: "POST", url: c("holds"), body: `{"client":"` + C1 + `","reason":"bored"}`, status: 400, names: "reason"},
		{name: "occasion for an unknown point", user: SM, method: "POST", url: c("occasions"), body: `{"title":"X","kind":"standard","points":["` + P1 + `","nosuchpoint0000"]}`, status: 400, names: "points"},
		{name: "point in the server's local zone", user: SM, method: "POST", url: c("points"), body: `{"name":"Nowhere","timezone":"Local"}`, status: 400, names: "timezone"},
		{name: "service manager created by a service manager", user: SM, method: "POST", url: c("users"),
			body: `{"email":"boss@test.local","password":"new-password-1","passwordConfirm":"new-password-1","name":"Boss","role":"service_manager"}`, status: 400}, // the create rule refuses: PocketBase names no field
		{name: "point manager without a point", user: SM, method: "POST", url: c("users"),
			body: `{"email":"nopoint@test.local","password":"new-password-1","passwordConfirm":"new-password-1","name":"No Point","role":"point_manager"}`, status: 400, names: "point"},
		{name: "own role raised", method: "PATCH", url: c("users") + "/" + PM1, body: `{"role":"service_manager"}`, status: 404}, // the update rule refuses
	}
	runBadRequests(t, cases)
}
