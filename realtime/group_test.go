package realtime

import (
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/subscriptions"
	"github.com/pocketbase/pocketbase/tools/types"
)

func TestAuthFields(t *testing.T) {
	cases := []struct {
		rule   *string
		fields []string
		exact  bool
	}{
		{nil, nil, true},
		{types.Pointer(""), nil, true},
		{types.Pointer(`@request.auth.role = "a" || client.point = @request.auth.point`), []string{"point", "role"}, true},
		{types.Pointer(`@request.auth.point.name ?~ "x" && @request.auth.id != ""`), []string{"id", "point"}, true},
		{types.Pointer(`@request.auth:isset = true`), nil, false},
	}
	for _, c := range cases {
		fields, exact := authFields(c.rule)
		if len(fields) != len(c.fields) || exact != c.exact {
			t.Errorf("%v: got %v %v, want %v %v", c.rule, fields, exact, c.fields, c.exact)
			continue
		}
		for i := range fields {
			if fields[i] != c.fields[i] {
				t.Errorf("%v: got %v, want %v", c.rule, fields, c.fields)
			}
		}
	}
}

func TestGroupKey(t *testing.T) {
	users := core.NewAuthCollection("users")
	users.Id = "users_id"
	users.Fields.Add(&core.TextField{Name: "role"}, &core.TextField{Name: "point"})
	user := func(id, role, point string) *core.Record {
		r := core.NewRecord(users)
		r.Id = id
		r.Set("role", role)
		r.Set("point", point)
		return r
	}
	fields := []string{"collectionName", "point", "role"}
	a, b := groupKey(user("a", "pm", "p1"), fields, true), groupKey(user("b", "pm", "p1"), fields, true)
	if a != b {
		t.Errorf("same role and point, different groups: %q %q", a, b)
	}
	if c := groupKey(user("c", "pm", "p2"), fields, true); c == a {
		t.Errorf("another point in the same group: %q", c)
	}
	if d := groupKey(user("d", "sm", "p1"), fields, true); d == a {
		t.Errorf("another role in the same group: %q", d)
	}
	if groupKey(nil, fields, true) != "guest" {
		t.Error("guests are one group")
	}
	if x, y := groupKey(user("a", "pm", "p1"), fields, false), groupKey(user("b", "pm", "p1"), fields, false); x == y {
		t.Error("without an exact rule every user is their own group")
	}
}

func TestClientHidesOnlyPlainWildcards(t *testing.T) {
	c := &client{DefaultClient: subscriptions.NewDefaultClient(), hidden: map[string]bool{"touches/*?": true, "touches?": true}}
	if got := c.Subscriptions("touches/*?"); len(got) != 0 {
		t.Errorf("no subscription yet, got %v", got)
	}
	c.Subscribe("touches/*", `touches/*?options={"query":{"expand":"client"}}`, "touches/abc", "comments/*")
	if got := c.Subscriptions("touches/*?"); len(got) != 1 {
		t.Errorf("PocketBase's broadcast should see only the subscription with options, got %v", got)
	}
	if got := c.Subscriptions("comments/*?"); len(got) != 1 {
		t.Errorf("other collections are not hidden, got %v", got)
	}
	if got := c.Subscriptions("touches/abc?"); len(got) != 1 {
		t.Errorf("record topics are not hidden, got %v", got)
	}
	if got := c.ours([]string{"touches/*?", "touches?"}); len(got) != 1 || got[0] != "touches/*" {
		t.Errorf("ours = %v", got)
	}
	if got := c.Subscriptions(); len(got) != 4 {
		t.Errorf("all subscriptions are still listed, got %v", got)
	}
}

func TestMatchesLikePocketBase(t *testing.T) {
	subs := []string{"touches/*", "touches", "touches/abc", `touches/*?options={}`, "touchesx/*", "t"}
	prefixes := []string{"touches/*?", "touches?", "touches/abc?", "touches/ab?", "t?", "touches/*?options"}
	for _, s := range subs {
		for _, p := range prefixes {
			if want := strings.HasPrefix(s+"?", p); matches(s, p) != want {
				t.Errorf("matches(%q, %q) = %v, want %v", s, p, !want, want)
			}
		}
	}
}
