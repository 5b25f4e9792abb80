package harness

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// server is a running `touchbase serve`.
type server struct {
	cmd  *exec.Cmd
	url  string
	done chan error
	log  *os.File
}

// startServer starts the binary on dir at a free loopback port and
// returns once /api/health answers, with the time that took from the
// process start.
func startServer(binary, dir string) (*server, time.Duration, error) {
	port, err := freePort()
	if err != nil {
		return nil, 0, err
	}
	logFile, err := os.OpenFile(filepath.Join(dir, "serve.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, 0, err
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	s := &server{url: "http://" + addr, done: make(chan error, 1), log: logFile}
	s.cmd = exec.Command(binary, "serve", "--http", addr, "--dir", dir)
	s.cmd.Stdout, s.cmd.Stderr = logFile, logFile
	started := time.Now()
	if err := s.cmd.Start(); err != nil {
		logFile.Close()
		return nil, 0, err
	}
	go func() { s.done <- s.cmd.Wait() }()

	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-s.done:
			logFile.Close()
			return nil, 0, fmt.Errorf("the server exited: %v (see %s)", err, logFile.Name())
		default:
		}
		res, err := client.Get(s.url + "/api/health")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return s, time.Since(started), nil
			}
		}
		time.Sleep(2 * time.Millisecond)
	}
	s.stop()
	return nil, 0, fmt.Errorf("the server did not answer within a minute (see %s)", logFile.Name())
}

func (s *server) pid() int { return s.cmd.Process.Pid }

// stop ends the server gracefully (SIGTERM), then for good.
func (s *server) stop() {
	if s.cmd.ProcessState == nil {
		s.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-s.done:
		case <-time.After(10 * time.Second):
			s.cmd.Process.Kill()
			<-s.done
		}
	}
	s.log.Close()
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func syncFS() { syscall.Sync() }

// rssWatcher samples the server's resident memory every 20 ms and keeps
// the peak of each phase; the overall peak is the kernel's VmHWM.
type rssWatcher struct {
	pid   int
	mu    sync.Mutex
	cur   string
	peaks []phasePeak
	quit  chan struct{}
	done  chan struct{}
}

type phasePeak struct {
	name string
	peak int64
}

func watchRSS(pid int) *rssWatcher {
	w := &rssWatcher{pid: pid, quit: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(w.done)
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-w.quit:
				return
			case <-tick.C:
				rss := procStatus(w.pid, "VmRSS")
				w.mu.Lock()
				if n := len(w.peaks); n > 0 && rss > w.peaks[n-1].peak {
					w.peaks[n-1].peak = rss
				}
				w.mu.Unlock()
			}
		}
	}()
	return w
}

// phase starts a new named phase.
func (w *rssWatcher) phase(name string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.peaks = append(w.peaks, phasePeak{name: name})
}

// result returns the overall peak (VmHWM) and the peak of each phase.
func (w *rssWatcher) result() (int64, []phasePeak) {
	hwm := procStatus(w.pid, "VmHWM")
	w.mu.Lock()
	defer w.mu.Unlock()
	return hwm, append([]phasePeak(nil), w.peaks...)
}

func (w *rssWatcher) stop() {
	select {
	case <-w.quit:
	default:
		close(w.quit)
	}
	<-w.done
}

// procStatus reads a "kB" field of /proc/PID/status, in bytes.
func procStatus(pid int, field string) int64 {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	sc := bufio.NewScanner(bytes.NewReader(raw))
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, field+":") {
			fields := strings.Fields(line[len(field)+1:])
			if len(fields) > 0 {
				n, _ := strconv.ParseInt(fields[0], 10, 64)
				return n * 1024
			}
		}
	}
	return 0
}

// procCPU returns the CPU time (user + system) the process has used.
func procCPU(pid int) time.Duration {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// the command name (field 2) may contain spaces; fields count from after it
	s := string(raw)
	if i := strings.LastIndexByte(s, ')'); i >= 0 {
		s = s[i+1:]
	}
	f := strings.Fields(s)
	if len(f) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * time.Second / 100 // USER_HZ
}
