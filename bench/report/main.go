// Command report writes BENCHMARKS.md from bench/run.sh's results (a TSV on
// standard input: query, server, connections, req/s, p50 ms, p99 ms,
// statements per request, CPU ms per request, peak RSS MiB, load average,
// requests) and the machine it runs on; the run's versions come in BENCH_*
// environment variables.
package main

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
)

type row struct {
	query, server                        string
	conns                                int
	rps, p50, p99, stmts, cpu, rss, load float64
}

var queries = []struct{ name, doc string }{
	{"big", "organizations (100) → members (20) → role, user"},
	{"small", "organizations (10) → id, name"},
	{"settings", "settings page: 6 connections of 20 rows, each with its creator"},
	{"updateOrganization", "updateOrganization (description), over the 100 organizations in turn"},
}

func main() {
	var rows []row
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		f := strings.Split(sc.Text(), "\t")
		if len(f) < 10 {
			continue
		}
		num := func(i int) float64 { v, _ := strconv.ParseFloat(f[i], 64); return v }
		conns, _ := strconv.Atoi(f[2])
		rows = append(rows, row{f[0], f[1], conns, num(3), num(4), num(5), num(6), num(7), num(8), num(9)})
	}
	find := func(q, s string, c int) *row {
		for i := range rows {
			if rows[i].query == q && rows[i].server == s && rows[i].conns == c {
				return &rows[i]
			}
		}
		return nil
	}
	w := bufio.NewWriter(os.Stdout)
	defer w.Flush()
	p := func(format string, a ...any) { fmt.Fprintf(w, format, a...) }
	p("# Benchmarks\n\n")
	p("Written by `bench/run.sh` (see bench/README.md): orgql beside the floor (bench/floor: one hand-written\n")
	p("SQL statement per read, one transaction of an UPDATE and an INSERT per write) and PostGraphile (no\n")
	p("tenancy, no session check) over one PostgreSQL database: one user in 100 organizations of 20 members\n")
	p("each. All servers returned the same data before being measured. wrk, one thread, closed loop.\n\n")
	p("- run: %s\n", os.Getenv("BENCH_MODE"))
	p("- orgql: commit %s, %s", os.Getenv("BENCH_COMMIT"), runtime.Version())
	if b := os.Getenv("BENCH_BASELINE"); b != "" {
		p("; orgql-%s is orgql built from %s, measured in the same run", b, b)
	}
	p("\n")
	p("- machine: %s, %d cores, %s, Linux %s (shared: the load average is noted beside each figure)\n",
		cpuModel(), runtime.NumCPU(), memory(), kernel())
	p("- PostgreSQL %s; %s; peer: %s\n\n", os.Getenv("BENCH_PG"), os.Getenv("BENCH_WRK"), os.Getenv("BENCH_PEER"))
	p("Statements per request are pg_stat_statements' calls (BEGIN and COMMIT included) over the requests of\n")
	p("the run; CPU is the server process's user and system time per request; peak memory is the server's\n")
	p("peak RSS during the run.\n")
	for _, q := range queries {
		p("\n## %s\n\n", q.doc)
		p("| server | connections | req/s | p50 ms | p99 ms | statements / request | server CPU ms / request | peak RSS MiB | load average |\n")
		p("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n")
		for _, r := range rows {
			if r.query == q.name {
				p("| %s | %d | %.0f | %.1f | %.1f | %.1f | %.2f | %.0f | %.2f |\n", r.server, r.conns, r.rps, r.p50, r.p99, r.stmts, r.cpu, r.rss, r.load)
			}
		}
	}
	base := os.Getenv("BENCH_BASELINE")
	p("\n## Ratios (orgql's req/s divided by the other's)\n\n")
	if base != "" {
		p("| query | connections | ÷ PostGraphile | ÷ floor | ÷ orgql at %s |\n|---|---:|---:|---:|---:|\n", base)
	} else {
		p("| query | connections | ÷ PostGraphile | ÷ floor |\n|---|---:|---:|---:|\n")
	}
	for _, q := range queries {
		for _, c := range []int{8, 32} {
			ours := find(q.name, "orgql", c)
			if ours == nil {
				continue
			}
			ratio := func(s string) string {
				if o := find(q.name, s, c); o != nil && o.rps > 0 {
					return fmt.Sprintf("%.2f", ours.rps/o.rps)
				}
				return "–"
			}
			if base != "" {
				p("| %s | %d | %s | %s | %s |\n", q.name, c, ratio("postgraphile"), ratio("floor"), ratio("orgql-"+base))
			} else {
				p("| %s | %d | %s | %s |\n", q.name, c, ratio("postgraphile"), ratio("floor"))
			}
		}
	}
}

func cpuModel() string {
	b, _ := os.ReadFile("/proc/cpuinfo")
	for line := range strings.SplitSeq(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}

func memory() string {
	b, _ := os.ReadFile("/proc/meminfo")
	var kb float64
	fmt.Sscanf(string(b), "MemTotal: %f kB", &kb)
	return fmt.Sprintf("%.0f GiB", kb/1024/1024)
}

func kernel() string {
	b, _ := os.ReadFile("/proc/sys/kernel/osrelease")
	return strings.TrimSpace(string(b))
}
