package db_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/dealflow/dealflow/internal/testenv"
)

var testDB *testenv.Database

// TestMain gives this package its own migrated database on the real
// PostgreSQL, and fails (never skips) when it cannot.
func TestMain(m *testing.M) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	var err error
	testDB, err = testenv.NewDatabase(ctx, "db")
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, "db tests need PostgreSQL:", err)
		os.Exit(1)
	}
	code := m.Run()
	testDB.Close()
	os.Exit(code)
}
