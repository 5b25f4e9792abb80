// Package demo fills an empty Touchbase data dir with a realistic,
// bilingual (Russian and English) demo data set: three points, staff of both
// roles, a few hundred clients, a half-year content plan of occasions,
// touches with their card comments, tickets and holds (SPEC §9).
//
// The data is drawn from a pseudo-random generator with a constant seed, so
// every demo has the same clients, names and marks (stable screenshots),
// while the dates are laid out around the day the demo is created, so the
// worklists, the Due view and the Plan view always have something to show.
package demo

import (
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// Password is the demo password of every staff account and of the demo
// superuser.
const Password = "touchbase-demo"

// SuperuserEmail is the dashboard account the demo creates when the data
// dir has no superuser yet.
const SuperuserEmail = "admin@touchbase.demo"

// randomSeed makes the generated data reproducible.
const randomSeed = 20261124

// SeedIfEmpty fills the data set when the app has no points yet and prints
// the staff credentials to out, with links to baseURL (see BaseURL; ""
// is DefaultBaseURL); on a non-empty data dir it prints one line saying the
// demo was skipped and returns nil.
func SeedIfEmpty(app core.App, out io.Writer, baseURL string) error {
	if out == nil {
		out = io.Discard
	}
	total, err := app.CountRecords("points")
	if err != nil {
		return fmt.Errorf("demo: counting points: %w", err)
	}
	if total > 0 {
		fmt.Fprintf(out, "Touchbase demo skipped: the data dir already has %d point(s); the demo only fills an empty data dir.\n", total)
		return nil
	}
	return Seed(app, out, baseURL)
}

// Seed always adds the demo data, in one transaction, and prints the
// addresses (under baseURL, "" = DefaultBaseURL) and credentials to out. On
// a data dir that already holds the demo it fails on the unique point
// names and e-mails, changing nothing.
func Seed(app core.App, out io.Writer, baseURL string) error {
	if out == nil {
		out = io.Discard
	}
	if baseURL == "" {
		baseURL = DefaultBaseURL
	}
	started := time.Now()

	s := &seeder{
		r:   rand.New(rand.NewPCG(randomSeed, randomSeed>>3)),
		now: started,
	}
	err := app.RunInTransaction(func(txApp core.App) error {
		s.app = txApp
		return s.run()
	})
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}

	s.printReport(app, out, strings.TrimSuffix(baseURL, "/"), time.Since(started))
	return nil
}

// printReport writes the addresses under baseURL, the credentials table
// and the size of the data set.
func (s *seeder) printReport(app core.App, out io.Writer, baseURL string, took time.Duration) {
	pageURL, dashboardURL := baseURL+"/", baseURL+"/_/"
	fmt.Fprintf(out, "\nTouchbase demo data set created in %s.\n", took.Round(time.Millisecond))
	var sizes []string
	for _, name := range []string{"points", "users", "clients", "occasions", "touches", "comments", "tickets", "holds"} {
		n, err := app.CountRecords(name)
		if err == nil {
			sizes = append(sizes, fmt.Sprintf("%d %s", n, name))
		}
	}
	fmt.Fprintf(out, "  %s\n\n", strings.Join(sizes, ", "))
	fmt.Fprintf(out, "  Manager page: %s\n", pageURL)
	fmt.Fprintf(out, "  Dashboard:    %s\n\n", dashboardURL)

	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "  EMAIL\tPASSWORD\tROLE\tPOINT")
	for _, st := range s.staff {
		point := "all points"
		if st.point >= 0 {
			point = pointSpecs[st.point].name
		}
		fmt.Fprintf(w, "  %s\t%s\t%s\t%s\n", st.email, Password, st.role, point)
	}
	if s.superuserCreated {
		fmt.Fprintf(w, "  %s\t%s\t%s\t%s\n", SuperuserEmail, Password, "superuser", "dashboard "+dashboardURL)
	}
	w.Flush()
	if !s.superuserCreated {
		fmt.Fprintln(out, "  (a superuser already existed, so no demo superuser was created)")
	}
	fmt.Fprintln(out)
}

// countSuperusers counts the real superusers, leaving out the temporary
// account PocketBase's installer creates.
func countSuperusers(app core.App) (int64, error) {
	return app.CountRecords(core.CollectionNameSuperusers,
		dbx.Not(dbx.HashExp{"email": core.DefaultInstallerEmail}))
}
