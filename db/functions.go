package db

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"log/slog"
	"sort"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// functions are the repeatable SQL definitions (CREATE OR REPLACE), each
// function in one file only; versioned migrations hold schema changes.
//
//go:embed functions/*.sql
var functions embed.FS

// migrationLock is the advisory lock `dealflow migrate` holds while it
// applies the versioned migrations and then the functions, so that two
// replicas starting together apply each once.
const migrationLock = 7300

// FunctionFile is one file of db/functions and its checksum.
type FunctionFile struct {
	Name, Checksum, SQL string
}

// FunctionFiles lists db/functions in the order they are applied (by name).
func FunctionFiles() ([]FunctionFile, error) {
	names, err := fs.Glob(functions, "functions/*.sql")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	out := make([]FunctionFile, 0, len(names))
	for _, n := range names {
		b, err := functions.ReadFile(n)
		if err != nil {
			return nil, err
		}
		sum := sha256.Sum256(b)
		out = append(out, FunctionFile{Name: n[len("functions/"):], Checksum: hex.EncodeToString(sum[:]), SQL: string(b)})
	}
	return out, nil
}

// applyFunctions (re)defines, in one transaction, every function file whose
// checksum differs from the one recorded in schema_functions, and records
// it. A file that did not change is not executed again.
func applyFunctions(ctx context.Context, conn *pgxpool.Conn, log *slog.Logger) error {
	files, err := FunctionFiles()
	if err != nil {
		return err
	}
	return pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		applied := map[string]string{}
		rows, err := tx.Query(ctx, `SELECT file, checksum FROM schema_functions`)
		if err != nil {
			return err
		}
		for rows.Next() {
			var f, c string
			if err := rows.Scan(&f, &c); err != nil {
				return err
			}
			applied[f] = c
		}
		if err := rows.Err(); err != nil {
			return err
		}
		for _, f := range files {
			if applied[f.Name] == f.Checksum {
				continue
			}
			if _, err := tx.Exec(ctx, f.SQL); err != nil {
				return fmt.Errorf("functions/%s: %w", f.Name, err)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO schema_functions (file, checksum) VALUES ($1, $2)
				ON CONFLICT (file) DO UPDATE SET checksum = EXCLUDED.checksum, applied_at = now()`, f.Name, f.Checksum); err != nil {
				return err
			}
			log.Info("functions applied", "file", f.Name, "checksum", f.Checksum[:12])
		}
		return nil
	})
}
