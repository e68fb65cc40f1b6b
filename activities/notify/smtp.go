package notify

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"time"
)

// ErrRefused marks an SMTP server's permanent refusal (5xx) of a
// recipient or message: retrying would not change its answer.
var ErrRefused = errors.New("refused by the SMTP server")

// send hands msg for to to the SMTP server at addr, without
// authentication or TLS (a local relay or Mailpit). A 5xx answer is
// ErrRefused; any other failure is worth retrying.
func send(ctx context.Context, addr, from, to string, msg []byte) error {
	fromAddr, err := mail.ParseAddress(from)
	if err != nil {
		return fmt.Errorf("%w: from %q: %v", ErrRefused, from, err)
	}
	d := net.Dialer{Timeout: 10 * time.Second}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	deadline := time.Now().Add(30 * time.Second)
	if dl, ok := ctx.Deadline(); ok && dl.Before(deadline) {
		deadline = dl
	}
	_ = conn.SetDeadline(deadline)
	host, _, _ := net.SplitHostPort(addr)
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		conn.Close()
		return err
	}
	defer c.Close()
	if err := c.Mail(fromAddr.Address); err != nil {
		return classify(err)
	}
	if err := c.Rcpt(to); err != nil {
		return classify(err)
	}
	w, err := c.Data()
	if err != nil {
		return classify(err)
	}
	if _, err := w.Write(msg); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return classify(err)
	}
	return c.Quit()
}

func classify(err error) error {
	var te *textproto.Error
	if errors.As(err, &te) && te.Code >= 500 {
		return fmt.Errorf("%w: %v", ErrRefused, err)
	}
	return err
}
