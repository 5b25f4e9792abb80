package main

import (
	"testing"

	pbcmd "github.com/pocketbase/pocketbase/cmd"
	"github.com/pocketbase/pocketbase/core"
	"github.com/spf13/cobra"

	"touchbase/internal/testapp"
)

func TestMain(m *testing.M) { testapp.Main(m) }

// TestServedBaseURL: the demo's printed links follow serve's --http,
// --https and domain arguments, read from PocketBase's own serve command.
func TestServedBaseURL(t *testing.T) {
	cases := []struct {
		args []string
		addr string // http.Server.Addr as PocketBase sets it for these args
		want string
	}{
		{[]string{"serve"}, "127.0.0.1:8090", "http://127.0.0.1:8090"},
		{[]string{"serve", "--http", "127.0.0.1:9000"}, "127.0.0.1:9000", "http://127.0.0.1:9000"},
		{[]string{"serve", "--http=0.0.0.0:8090"}, "0.0.0.0:8090", "http://127.0.0.1:8090"},
		{[]string{"serve", "--https", "127.0.0.1:8443"}, "127.0.0.1:8443", "https://127.0.0.1:8443"},
		{[]string{"serve", "crm.example.com"}, "0.0.0.0:443", "https://crm.example.com"},
		{[]string{"serve", "--demo", "--http", "10.0.0.5:80"}, "10.0.0.5:80", "http://10.0.0.5"},
	}
	for _, c := range cases {
		root := &cobra.Command{Use: "touchbase"}
		root.PersistentFlags().Bool("demo", false, "")
		serve := pbcmd.NewServeCommand(nil, false)
		serve.RunE = func(*cobra.Command, []string) error { return nil } // parse only
		root.AddCommand(serve)
		root.SetArgs(c.args)
		if err := root.Execute(); err != nil {
			t.Fatalf("%v: %v", c.args, err)
		}
		if got := servedBaseURL(root, c.addr); got != c.want {
			t.Errorf("%v: %q, want %q", c.args, got, c.want)
		}
	}
}

// TestFindPointByNameFoldsLikeTheUniqueRule: --point finds a point the
// way point names are kept unique (domain.FoldName), so "орел" is "Орёл".
func TestFindPointByNameFoldsLikeTheUniqueRule(t *testing.T) {
	app := testapp.New(t)
	points, err := app.FindCollectionByNameOrId("points")
	if err != nil {
		t.Fatal(err)
	}
	orel := core.NewRecord(points)
	orel.Set("name", "Орёл")
	orel.Set("timezone", "Europe/Moscow")
	orel.Set("country", "RU")
	if err := app.Save(orel); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"Орёл", "орел", " ОРЁЛ ", orel.Id} {
		if p, err := findPointByName(app, name); err != nil || p.Id != orel.Id {
			t.Errorf("findPointByName(%q) = %v, %v; want Орёл", name, p, err)
		}
	}
}
