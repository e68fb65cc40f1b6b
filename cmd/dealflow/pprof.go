package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/pprof"
)

// startPprof serves Go's profiles (/debug/pprof/) on addr when
// DEALFLOW_PPROF_ADDR names one: a debug listener for measuring where a
// process's CPU goes, off by default and never on the API's address. Bind
// it to loopback (127.0.0.1:6060): it has no authentication.
func startPprof(addr string, stderr io.Writer) {
	if addr == "" {
		return
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Fprintf(stderr, "DEALFLOW_PPROF_ADDR: %v\n", err)
		return
	}
	go func() { _ = http.Serve(ln, mux) }() //nolint:gosec // a loopback debug listener, opt in
}
