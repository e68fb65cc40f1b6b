package webhook_test

import (
	"os"
	"testing"

	"github.com/dealflow/dealflow/internal/testenv"
)

var testDB *testenv.Database

// TestMain gives this package its own migrated database on the real
// PostgreSQL, and fails (never skips) when it cannot.
func TestMain(m *testing.M) { os.Exit(testenv.RunWithDatabase(m, "activities_webhook", &testDB)) }
