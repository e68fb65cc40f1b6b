package testenv

import (
	"bytes"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
)

var pdftotext = sync.OnceValues(func() (string, error) {
	root, err := RepoRoot()
	if err != nil {
		return "", err
	}
	out, err := exec.Command("bash", filepath.Join(root, "scripts", "poppler.sh")).Output()
	if err != nil {
		return "", fmt.Errorf("scripts/poppler.sh: %w", err)
	}
	return strings.TrimSpace(string(out)), nil
})

// PDFText is the text of pdf as `pdftotext -layout` reads it (Debian's
// poppler-utils, installed by scripts/poppler.sh when missing): what a
// reader of the document sees, row by row.
func PDFText(pdf []byte) (string, error) {
	bin, err := pdftotext()
	if err != nil {
		return "", err
	}
	cmd := exec.Command(bin, "-layout", "-enc", "UTF-8", "-", "-")
	cmd.Stdin = bytes.NewReader(pdf)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("pdftotext: %w: %s", err, stderr.String())
	}
	return string(out), nil
}
