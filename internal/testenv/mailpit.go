package testenv

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

// Mailpit is a Mailpit process (SMTP server and HTTP API) on free loopback
// ports, keeping its mail in a temporary directory.
type Mailpit struct {
	// SMTPAddr is where it accepts mail; HTTPURL its web UI and API.
	SMTPAddr, HTTPURL string
	cmd               *exec.Cmd
	dir               string
	log               *syncBuffer
	done              chan struct{}
}

// MailpitBinary returns the path of the pinned Mailpit: $MAILPIT, or
// bin/mailpit in the repository (scripts/mailpit.sh builds it).
func MailpitBinary() (string, error) {
	if p := os.Getenv("MAILPIT"); p != "" {
		return p, nil
	}
	root, err := RepoRoot()
	if err != nil {
		return "", err
	}
	p := filepath.Join(root, "bin", "mailpit")
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("no Mailpit at %s: run scripts/mailpit.sh (or make test) to build it", p)
	}
	return p, nil
}

// StartMailpit starts Mailpit, keeping every message (--max 0: no
// pruning), and waits until its API answers.
func StartMailpit(ctx context.Context) (*Mailpit, error) {
	bin, err := MailpitBinary()
	if err != nil {
		return nil, err
	}
	smtpPort, err := freePort()
	if err != nil {
		return nil, err
	}
	httpPort, err := freePort()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "dealflow-mailpit-")
	if err != nil {
		return nil, err
	}
	m := &Mailpit{SMTPAddr: "127.0.0.1:" + strconv.Itoa(smtpPort), HTTPURL: "http://127.0.0.1:" + strconv.Itoa(httpPort),
		dir: dir, log: &syncBuffer{}, done: make(chan struct{})}
	m.cmd = exec.Command(bin, "--listen", "127.0.0.1:"+strconv.Itoa(httpPort), "--smtp", m.SMTPAddr,
		"--database", filepath.Join(dir, "mailpit.db"), "--max", "0")
	m.cmd.Stdout, m.cmd.Stderr = m.log, m.log
	m.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := m.cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	go func() { _ = m.cmd.Wait(); close(m.done) }()
	ready := func() error { _, err := m.Messages(ctx); return err }
	if err := awaitReady("mailpit", m.done, m.log, ready, m.Stop); err != nil {
		return nil, err
	}
	return m, nil
}

// MailAddress is an address as Mailpit's API gives it.
type MailAddress struct {
	Name    string `json:"Name"`
	Address string `json:"Address"`
}

// MailSummary is one message of Mailpit's message list.
type MailSummary struct {
	ID        string        `json:"ID"`
	MessageID string        `json:"MessageID"`
	To        []MailAddress `json:"To"`
	Subject   string        `json:"Subject"`
}

// MailMessage is one message in full.
type MailMessage struct {
	MailSummary
	Text string `json:"Text"`
	HTML string `json:"HTML"`
}

// Messages lists every message Mailpit holds (newest first).
func (m *Mailpit) Messages(ctx context.Context) ([]MailSummary, error) {
	var out struct {
		Messages []MailSummary `json:"messages"`
	}
	return out.Messages, m.get(ctx, "/api/v1/messages?limit=5000", &out)
}

// Message returns message id (a MailSummary's ID) in full.
func (m *Mailpit) Message(ctx context.Context, id string) (MailMessage, error) {
	var out MailMessage
	return out, m.get(ctx, "/api/v1/message/"+id, &out)
}

func (m *Mailpit) get(ctx context.Context, path string, into any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, m.HTTPURL+path, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", path, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(into)
}

// Stop ends Mailpit and removes its files.
func (m *Mailpit) Stop() {
	if m.cmd.Process != nil {
		_ = syscall.Kill(-m.cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-m.done:
		case <-time.After(5 * time.Second):
			_ = syscall.Kill(-m.cmd.Process.Pid, syscall.SIGKILL)
			<-m.done
		}
	}
	os.RemoveAll(m.dir)
}
