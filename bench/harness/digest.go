package harness

import (
	"bufio"
	"fmt"
	"os/exec"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/security"

	"touchbase/access"
)

// digestStaff is how many staff the morning e-mail is measured for
// (issue 14: "digest generation for 1,000 staff").
const digestStaff = 1000

// benchDigest measures the morning e-mail for digestStaff staff on the
// data set: it adds staff until there are that many (point managers
// spread over the points, a few service managers), all with the e-mail
// on, and runs `touchbase digest --dry-run` — the job's own code for every
// user, printing instead of sending — as a process of its own, timing it
// and sampling its memory. It runs before the server starts.
func benchDigest(cfg Config, res *Results) error {
	added, err := addStaff(cfg.WorkDir, digestStaff)
	if err != nil {
		return err
	}
	cmd := exec.Command(cfg.Binary, "digest", "--dry-run", "--dir", cfg.WorkDir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	started := time.Now()
	if err := cmd.Start(); err != nil {
		return err
	}
	rss := watchRSS(cmd.Process.Pid)
	rss.phase("digest")
	mails, nothing := 0, 0
	scanner := bufio.NewScanner(out)
	scanner.Buffer(make([]byte, 1<<20), 1<<20)
	for scanner.Scan() {
		line := scanner.Text()
		switch {
		case strings.HasPrefix(line, "To: "):
			mails++
		case strings.Contains(strings.ToLower(line), "nothing to send"):
			nothing++
		}
	}
	hwm, perPhase := rss.result() // the kernel's high-water mark while it still runs, and the sampled peaks
	if err := cmd.Wait(); err != nil {
		rss.stop()
		return fmt.Errorf("touchbase digest --dry-run: %w", err)
	}
	took := time.Since(started)
	rss.stop()
	peak := hwm
	for _, p := range perPhase {
		peak = max(peak, p.peak)
	}
	logf(cfg.Log, "digest: %d staff (%d added), %d e-mails, %d with nothing to send, %s, peak RSS %s", digestStaff, added, mails, nothing, took.Round(time.Millisecond), mb(peak))
	res.add("14", fmt.Sprintf("morning e-mail for %d staff (`digest --dry-run`, %d e-mails, %d empty): total", digestStaff, mails, nothing), ms(took), "", "", true)
	res.add("14", "morning e-mail: per staff member (mean)", ms(took/time.Duration(max(1, digestStaff))), "", "", true)
	res.add("14", "morning e-mail: peak RSS of the process", mb(peak), "", "", true)
	res.Raw["digest_total_ms"] = msf(took)
	res.Raw["digest_peak_rss_mb"] = float64(peak) / (1 << 20)
	return nil
}

// addStaff adds users until the data dir has n staff: point managers over
// the points in turn, and one service manager per 50. They share one
// password hash (hashing a thousand passwords would measure bcrypt) and
// are written with SQL for the same reason. It returns how many it added.
func addStaff(dir string, n int) (int, error) {
	app := core.NewBaseApp(core.BaseAppConfig{DataDir: dir})
	if err := app.Bootstrap(); err != nil {
		return 0, err
	}
	defer app.ResetBootstrapState()
	var have int
	if err := app.DB().Select("COUNT(*)").From("users").Row(&have); err != nil {
		return 0, err
	}
	var points []string
	if err := app.DB().Select("id").From("points").OrderBy("id").Column(&points); err != nil {
		return 0, err
	}
	var hash string
	if err := app.DB().Select("password").From("users").Limit(1).Row(&hash); err != nil {
		return 0, err
	}
	now := time.Now().UTC().Format("2006-01-02 15:04:05.000Z")
	added := 0
	err := app.RunInTransaction(func(tx core.App) error {
		for i := have; i < n; i++ {
			role, point := access.RolePointManager, points[i%len(points)]
			if i%50 == 0 {
				role, point = access.RoleServiceManager, ""
			}
			_, err := tx.DB().Insert("users", dbx.Params{
				"id": fmt.Sprintf("benchstaff%05d", i), "email": fmt.Sprintf("staff%05d@bench.local", i),
				"password": hash, "tokenKey": security.RandomString(50), "name": fmt.Sprintf("Staff %d", i),
				"role": role, "point": point, "digest": true, "verified": true, "emailVisibility": false,
				"created": now, "updated": now,
			}).Execute()
			if err != nil {
				return err
			}
			added++
		}
		return nil
	})
	return added, err
}
