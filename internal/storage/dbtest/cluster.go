//go:build unix

package dbtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// errNoBinaries means PostgreSQL is not installed here: a reason to skip,
// unlike every other error of starting a server, which is a failure.
var errNoBinaries = errors.New("no PostgreSQL binaries found")

// dirPrefix names the folders of throwaway servers, so that a later process
// can find and remove those left behind by a process that died.
const dirPrefix = "sunlight-pg-"

// cluster is a throwaway PostgreSQL server owned by this test process.
type cluster struct {
	dir    string // everything of the server: data/, its socket, its log
	port   int
	cmd    *exec.Cmd
	exited chan struct{} // closed once the postmaster has exited

	// createOptions are added to CREATE DATABASE on this server.
	createOptions string
}

var (
	clusterOnce sync.Once
	theCluster  *cluster
	clusterErr  error
)

// localCluster starts this process's throwaway server on first call and
// returns it; one server for all tests keeps them fast, since starting one
// (initdb mostly) takes about a second and a database only milliseconds.
func localCluster() (*cluster, error) {
	clusterOnce.Do(func() {
		theCluster, clusterErr = startCluster()
	})
	return theCluster, clusterErr
}

func (c *cluster) adminURL() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", c.port)
}

// shutdown, called by Main after the tests, closes the admin connections and
// stops this process's server.
func shutdown() {
	runExits()
	closeAdmins()
	// Mark the server as started, so that nothing starts one after this.
	clusterOnce.Do(func() { clusterErr = errors.New("dbtest: tests are over") })
	if theCluster != nil {
		theCluster.stop()
		theCluster = nil
	}
}

// binaries are the programs a server is made with.
type binaries struct{ initdb, postgres string }

// debianBinaries is where Debian's packages put each version's programs,
// off PATH. A variable so that a test can pretend there are none.
var debianBinaries = "/usr/lib/postgresql/*/bin"

// findBinaries looks in Debian's /usr/lib/postgresql/<version>/bin, newest
// version first, where the packages put them off PATH, then on PATH.
func findBinaries() (binaries, error) {
	dirs, _ := filepath.Glob(debianBinaries)
	version := func(dir string) float64 {
		v, _ := strconv.ParseFloat(filepath.Base(filepath.Dir(dir)), 64) // "15", "9.6"
		return v
	}
	slices.SortFunc(dirs, func(a, b string) int {
		va, vb := version(a), version(b)
		switch {
		case va > vb:
			return -1
		case va < vb:
			return 1
		}
		return 0
	})
	for _, d := range dirs {
		b := binaries{filepath.Join(d, "initdb"), filepath.Join(d, "postgres")}
		if isExecutable(b.initdb) && isExecutable(b.postgres) {
			return b, nil
		}
	}
	initdb, err1 := exec.LookPath("initdb")
	postgres, err2 := exec.LookPath("postgres")
	if err1 != nil || err2 != nil {
		return binaries{}, errNoBinaries
	}
	return binaries{initdb, postgres}, nil
}

func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0
}

// runAs is the OS user the server runs as: nil for this process's own, or
// "postgres" when this process is root, as initdb and postgres refuse to
// run as root (CI runs as root).
func runAs() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("running as root, which PostgreSQL refuses, and found no \"postgres\" user to run it as: %w", err)
	}
	uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
	gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
	if err1 != nil || err2 != nil {
		return nil, fmt.Errorf("user postgres has uid %q gid %q", u.Uid, u.Gid)
	}
	// Groups left empty: the server drops root's supplementary groups too.
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

func startCluster() (*cluster, error) {
	bin, err := findBinaries()
	if err != nil {
		return nil, err
	}
	cred, err := runAs()
	if err != nil {
		return nil, err
	}
	parents := serverParents(cred != nil)
	for _, p := range parents {
		sweep(p)
	}
	dir, err := os.MkdirTemp(parents[0], dirPrefix)
	if err != nil {
		return nil, err
	}
	c := &cluster{dir: dir}
	ok := false
	defer func() {
		if !ok {
			os.RemoveAll(dir)
		}
	}()
	// Who owns the folder, for sweep; written before the folder changes hands.
	if err := os.WriteFile(filepath.Join(dir, "owner.pid"), []byte(strconv.Itoa(os.Getpid())), 0o644); err != nil {
		return nil, err
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		return nil, err
	}
	if cred != nil {
		if err := os.Chown(dir, int(cred.Uid), int(cred.Gid)); err != nil {
			return nil, err
		}
	}
	data := filepath.Join(dir, "data")

	// -N (no sync) because the cluster is thrown away: fsync of the new
	// files is most of initdb's time. C.UTF-8 where the system has it, so
	// that lower() and friends work beyond ASCII as on a real server;
	// otherwise plain C, which every system has.
	var out []byte
	for _, locale := range []string{"C.UTF-8", "C"} {
		cmd := exec.Command(bin.initdb, "-D", data, "-U", "postgres", "-A", "trust",
			"-E", "UTF8", "--locale="+locale, "-N")
		c.prepare(cmd, cred)
		out, err = cmd.CombinedOutput()
		if err == nil {
			break
		}
	}
	if err != nil {
		return nil, fmt.Errorf("initdb: %v\n%s", err, out)
	}

	// From PostgreSQL 15 on, CREATE DATABASE copies the template through
	// the WAL by default; copying its files and checkpointing, as before, is
	// two to four times faster when fsync is off. (On the server of
	// SUNLIGHT_TEST_POSTGRES, fsync is likely on: the default is left alone.)
	if v, _ := os.ReadFile(filepath.Join(data, "PG_VERSION")); atoiOr0(string(v)) >= 15 {
		c.createOptions = " STRATEGY FILE_COPY"
	}

	// The port is picked by binding :0 and letting go of it, so another
	// process may take it before postgres binds it: try again on a new one.
	for attempt := 1; ; attempt++ {
		err = c.start(bin, cred, data)
		if err == nil {
			ok = true
			return c, nil
		}
		if attempt == 5 || !errors.Is(err, errPortTaken) {
			return nil, err
		}
	}
}

var errPortTaken = errors.New("port taken")

// prepare sets up cmd to run as cred in c.dir with a clean environment.
func (c *cluster) prepare(cmd *exec.Cmd, cred *syscall.Credential) {
	cmd.Dir = c.dir // the postgres user may not be able to enter ours
	cmd.SysProcAttr = sysProcAttr(cred)
	// Nothing of the caller's PG* (PGDATA, PGPORT...) or locale may change
	// what the server does; HOME too is root's, which postgres can't read.
	env := []string{"LC_ALL=C", "HOME=" + c.dir}
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); k == "PATH" || k == "TZ" {
			env = append(env, kv)
		}
	}
	cmd.Env = env
}

func (c *cluster) start(bin binaries, cred *syscall.Credential, data string) error {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	c.port = l.Addr().(*net.TCPAddr).Port
	l.Close()

	logPath := filepath.Join(c.dir, "postgres.log")
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	defer logf.Close() // the child has its own copy

	cmd := exec.Command(bin.postgres, "-D", data,
		"-c", "listen_addresses=127.0.0.1",
		"-p", strconv.Itoa(c.port),
		// Our own socket folder: the default one may be the machine's
		// server's, or not writable.
		"-k", c.dir,
		// Durability is worthless for a server thrown away after the tests
		// and costs most of the time of CREATE DATABASE and of commits.
		"-c", "fsync=off",
		"-c", "synchronous_commit=off",
		"-c", "full_page_writes=off",
		// Parallel tests each hold a pool of connections.
		"-c", "max_connections=200",
	)
	c.prepare(cmd, cred)
	cmd.Stdout = logf
	cmd.Stderr = logf
	c.cmd = cmd
	c.exited = make(chan struct{})

	// The kernel's parent-death signal (see sysProcAttr) is sent when the
	// thread that forked the child exits, not the process. Go may end a
	// thread at any time, except one a goroutine is locked to: so the fork
	// happens on a locked thread, kept for as long as the server runs.
	started := make(chan error)
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		if err := cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		cmd.Wait()
		close(c.exited)
	}()
	if err := <-started; err != nil {
		return fmt.Errorf("starting postgres: %w", err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for {
		select {
		case <-c.exited:
			log, _ := os.ReadFile(logPath)
			if strings.Contains(string(log), "could not bind") ||
				strings.Contains(string(log), "already in use") {
				return fmt.Errorf("%w: %d", errPortTaken, c.port)
			}
			return fmt.Errorf("postgres exited at start: %s\n%s", cmd.ProcessState, tail(log))
		case <-ctx.Done():
			c.stop()
			log, _ := os.ReadFile(logPath)
			return fmt.Errorf("postgres not ready after a minute:\n%s", tail(log))
		case <-time.After(20 * time.Millisecond):
		}
		pctx, pcancel := context.WithTimeout(ctx, time.Second)
		conn, err := pgx.Connect(pctx, c.adminURL())
		pcancel()
		if err == nil {
			conn.Close(context.Background())
			return nil
		}
	}
}

// stop ends the server at once, as pg_ctl stop -m immediate does, and
// removes its files: there is nothing in it worth a clean shutdown.
func (c *cluster) stop() {
	c.cmd.Process.Signal(syscall.SIGQUIT)
	select {
	case <-c.exited:
	case <-time.After(10 * time.Second):
		c.cmd.Process.Kill()
		<-c.exited
	}
	os.RemoveAll(c.dir)
}

// serverParents lists the folders a server's folder may be made in, the
// one to use first. Memory (/dev/shm) where there is room: on disk, initdb
// takes 2.5 s instead of 1 s and CREATE DATABASE 0.3 s instead of 0.02 s
// even with fsync off. Otherwise /tmp for the postgres user, which TMPDIR
// (or t.TempDir's 0700 parents) might not let through; else TMPDIR.
func serverParents(asPostgres bool) []string {
	disk := os.TempDir()
	if asPostgres {
		disk = "/tmp"
	}
	var st syscall.Statfs_t
	// Room for a cluster (40 MB) and its databases (8 MB each), with a
	// wide margin since the memory is shared with everything else.
	if err := syscall.Statfs("/dev/shm", &st); err == nil && int64(st.Bavail)*int64(st.Bsize) >= 2<<30 &&
		syscall.Access("/dev/shm", 0o7) == nil {
		return []string{"/dev/shm", disk}
	}
	return []string{disk}
}

// sweep removes the folders of throwaway servers whose test process is
// gone without having stopped them (killed, or timed out without running
// Main). Their server is dead already (parent-death signal) or shuts down
// within a minute of its lock file disappearing.
func sweep(parent string) {
	dirs, _ := filepath.Glob(filepath.Join(parent, dirPrefix+"*"))
	for _, d := range dirs {
		b, err := os.ReadFile(filepath.Join(d, "owner.pid"))
		if err != nil {
			// A folder being set up has no owner file for a moment: only
			// an old one without it is an orphan.
			if fi, err := os.Stat(d); err == nil && time.Since(fi.ModTime()) > time.Hour {
				os.RemoveAll(d)
			}
			continue
		}
		pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil || pid <= 0 {
			continue
		}
		if err := syscall.Kill(pid, 0); err == syscall.ESRCH {
			os.RemoveAll(d)
		}
	}
}

func atoiOr0(s string) int {
	n, _ := strconv.Atoi(strings.TrimSpace(s))
	return n
}

// tail keeps the end of a log, where the reason a server stopped is.
func tail(b []byte) string {
	const n = 4000
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}
