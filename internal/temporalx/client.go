// Package temporalx connects dealflow to Temporal: the client (plain, mTLS
// or API key, so the same binary reaches a dev server, a self-hosted cluster
// or Temporal Cloud) and the namespace's custom search attributes.
package temporalx

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"log/slog"
	"net"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/dealflow/dealflow/internal/config"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
)

// Dial connects to the Temporal frontend that cfg names and checks it answers.
func Dial(ctx context.Context, cfg config.Config, logger *slog.Logger) (client.Client, error) {
	opts := client.Options{
		HostPort:  cfg.TemporalAddress,
		Namespace: cfg.TemporalNamespace,
		Logger:    sdklog.NewStructuredLogger(logger.With("component", "temporal")),
		// The SDK's own metrics, into the process's default Prometheus
		// registry, which /metrics serves.
		MetricsHandler: processMetrics(),
	}
	if loopback(cfg.TemporalAddress) {
		// On the same machine, gzip only spends CPU on both ends: a
		// quote's submit → approved cost about 3 % of the worker's CPU
		// and of the dev server's in compression (BENCHMARKS.md).
		opts.ConnectionOptions.GrpcCompression = &client.GrpcCompressionNone{}
	}
	tlsCfg, err := tlsConfig(cfg)
	if err != nil {
		return nil, err
	}
	if tlsCfg != nil {
		opts.ConnectionOptions.TLS = tlsCfg
	}
	if cfg.TemporalAPIKey != "" {
		opts.Credentials = client.NewAPIKeyStaticCredentials(cfg.TemporalAPIKey)
	}
	c, err := client.DialContext(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("temporal at %s: %w", cfg.TemporalAddress, err)
	}
	return c, nil
}

// loopback reports whether hostPort names this machine (localhost or a
// loopback IP).
func loopback(hostPort string) bool {
	host, _, err := net.SplitHostPort(hostPort)
	if err != nil {
		host = hostPort
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func tlsConfig(cfg config.Config) (*tls.Config, error) {
	if !cfg.TemporalTLS && cfg.TemporalTLSCert == "" && cfg.TemporalTLSCA == "" && cfg.TemporalAPIKey == "" {
		return nil, nil
	}
	t := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: cfg.TemporalTLSServer}
	if cfg.TemporalTLSCert != "" {
		pair, err := tls.LoadX509KeyPair(cfg.TemporalTLSCert, cfg.TemporalTLSKey)
		if err != nil {
			return nil, fmt.Errorf("TEMPORAL_TLS_CERT/KEY: %w", err)
		}
		t.Certificates = []tls.Certificate{pair}
	}
	if cfg.TemporalTLSCA != "" {
		pem, err := os.ReadFile(cfg.TemporalTLSCA)
		if err != nil {
			return nil, fmt.Errorf("TEMPORAL_TLS_CA: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("TEMPORAL_TLS_CA: no certificate in %s", cfg.TemporalTLSCA)
		}
		t.RootCAs = pool
	}
	return t, nil
}

// EnsureSearchAttributes adds to the namespace those of want that it lacks,
// through the operator API, and fails if one exists with another type.
func EnsureSearchAttributes(ctx context.Context, c client.Client, namespace string, want map[string]enums.IndexedValueType, logger *slog.Logger) error {
	have, err := c.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: namespace})
	if err != nil {
		return fmt.Errorf("list search attributes: %w", err)
	}
	missing := map[string]enums.IndexedValueType{}
	names := make([]string, 0, len(want))
	for name := range want {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		typ, ok := have.GetCustomAttributes()[name]
		switch {
		case !ok:
			missing[name] = want[name]
		case typ != want[name]:
			return fmt.Errorf("search attribute %s has type %s in namespace %s; dealflow needs %s", name, typ, namespace, want[name])
		}
	}
	if len(missing) == 0 {
		logger.Info("search attributes present", "namespace", namespace, "count", len(want))
		return nil
	}
	if _, err := c.OperatorService().AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{
		Namespace: namespace, SearchAttributes: missing,
	}); err != nil {
		return fmt.Errorf("add search attributes: %w", err)
	}
	if err := awaitSearchAttributes(ctx, c, namespace, missing); err != nil {
		return err
	}
	logger.Info("search attributes added", "namespace", namespace, "added", len(missing))
	return nil
}

// awaitSearchAttributes returns once the frontend accepts a visibility query
// naming every attribute of added. With SQL visibility a namespace's custom
// attributes are aliases kept in its record, and the frontend checks a
// workflow start's attributes (and a query's) against its cached copy,
// refreshed every 2 s by default (system.namespaceCacheRefreshInterval):
// without the wait, the first deals submitted after `dealflow migrate`
// would be refused until the refresh.
func awaitSearchAttributes(ctx context.Context, c client.Client, namespace string, added map[string]enums.IndexedValueType) error {
	var clauses []string
	for name, typ := range added {
		value := `""`
		switch typ {
		case enums.INDEXED_VALUE_TYPE_INT, enums.INDEXED_VALUE_TYPE_DOUBLE:
			value = "0"
		case enums.INDEXED_VALUE_TYPE_BOOL:
			value = "false"
		case enums.INDEXED_VALUE_TYPE_DATETIME:
			value = `"1970-01-01T00:00:00Z"`
		}
		clauses = append(clauses, name+" = "+value)
	}
	sort.Strings(clauses)
	query := strings.Join(clauses, " OR ")
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, err := c.CountWorkflow(ctx, &workflowservice.CountWorkflowExecutionsRequest{Namespace: namespace, Query: query})
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return fmt.Errorf("search attributes added to namespace %s but not yet usable: %w", namespace, err)
		}
		select {
		case <-ctx.Done():
		case <-time.After(200 * time.Millisecond):
		}
	}
}
