package db

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"log/slog"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrate applies every pending versioned migration embedded in the binary,
// then the repeatable function definitions of db/functions that changed,
// holding one PostgreSQL advisory lock throughout (goose holds its own for
// the versioned part), so replicas starting together are safe.
func Migrate(ctx context.Context, pool *pgxpool.Pool, log *slog.Logger) error {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1, 0)`, migrationLock); err != nil {
		return err
	}
	defer func() {
		_, _ = conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1, 0)`, migrationLock)
	}()
	sqlDB := stdlib.OpenDBFromPool(pool)
	defer sqlDB.Close()
	if err := migrateSQL(ctx, sqlDB, log); err != nil {
		return err
	}
	if err := applyFunctions(ctx, conn, log); err != nil {
		return err
	}
	return BackfillNames(ctx, pool, log)
}

// MigrateTo applies the versioned migrations up to version only, without
// the functions of db/functions, for tests of a later migration on a
// database as an earlier release left it; Migrate brings it up to date.
func MigrateTo(ctx context.Context, pool *pgxpool.Pool, version int64) error {
	sqlDB := stdlib.OpenDBFromPool(pool)
	defer sqlDB.Close()
	provider, err := newProvider(sqlDB)
	if err != nil {
		return err
	}
	_, err = provider.UpTo(ctx, version)
	return err
}

func newProvider(sqlDB *sql.DB) (*goose.Provider, error) {
	dir, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, err
	}
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return nil, err
	}
	provider, err := goose.NewProvider(goose.DialectPostgres, sqlDB, dir, goose.WithSessionLocker(locker))
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	return provider, nil
}

func migrateSQL(ctx context.Context, sqlDB *sql.DB, log *slog.Logger) error {
	provider, err := newProvider(sqlDB)
	if err != nil {
		return err
	}
	results, err := provider.Up(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	for _, r := range results {
		log.Info("migration applied", "version", r.Source.Version, "file", r.Source.Path, "took", r.Duration)
	}
	v, err := provider.GetDBVersion(ctx)
	if err != nil {
		return err
	}
	log.Info("database schema current", "version", v)
	return nil
}
