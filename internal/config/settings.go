package config

import (
	"errors"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// EnvPrefix starts the name of every setting's environment variable.
const EnvPrefix = "ORGQL_"

// Setting documents one setting, for --help and docs/configuration.md. Env
// is empty for a flag-only setting.
type Setting struct {
	Flag, Env, Default, Usage string
}

// Settings lists every setting with its default.
func Settings() []Setting {
	b := &binder{fs: flag.NewFlagSet("orgql", flag.ContinueOnError), getenv: func(string) string { return "" }}
	declare(b, &Config{})
	return b.settings
}

// binder declares settings on a flag set: each flag's default is its
// ORGQL_* variable when set, else the built-in default, so a flag wins.
type binder struct {
	fs       *flag.FlagSet
	getenv   func(string) string
	settings []Setting
	errs     []error
}

func (b *binder) err() error { return errors.Join(b.errs...) }

// value returns the variable's value, or def; it records the setting.
func (b *binder) value(name, env, def, usage string) string {
	b.settings = append(b.settings, Setting{Flag: "--" + name, Env: EnvPrefix + env, Default: def, Usage: usage})
	if v := b.getenv(EnvPrefix + env); v != "" {
		return v
	}
	return def
}

func (b *binder) usage(env, usage string) string { return usage + " ($" + EnvPrefix + env + ")" }

// parsed converts the variable's value with parse, recording a bad one.
func parsed[T any](b *binder, env, raw string, parse func(string) (T, error)) T {
	v, err := parse(raw)
	if err != nil {
		b.errs = append(b.errs, fmt.Errorf("%s%s: %w", EnvPrefix, env, err))
	}
	return v
}

func (b *binder) String(p *string, name, env, def, usage string) {
	b.fs.StringVar(p, name, b.value(name, env, def, usage), b.usage(env, usage))
}

func (b *binder) Bool(p *bool, name, env string, def bool, usage string) {
	v := parsed(b, env, b.value(name, env, strconv.FormatBool(def), usage), strconv.ParseBool)
	b.fs.BoolVar(p, name, v, b.usage(env, usage))
}

func (b *binder) Int(p *int, name, env string, def int, usage string) {
	v := parsed(b, env, b.value(name, env, strconv.Itoa(def), usage), strconv.Atoi)
	b.fs.IntVar(p, name, v, b.usage(env, usage))
}

func (b *binder) Int64(p *int64, name, env string, def int64, usage string) {
	v := parsed(b, env, b.value(name, env, strconv.FormatInt(def, 10), usage), func(s string) (int64, error) {
		return strconv.ParseInt(s, 10, 64)
	})
	b.fs.Int64Var(p, name, v, b.usage(env, usage))
}

func (b *binder) Float64(p *float64, name, env string, def float64, usage string) {
	v := parsed(b, env, b.value(name, env, strconv.FormatFloat(def, 'g', -1, 64), usage), func(s string) (float64, error) {
		return strconv.ParseFloat(s, 64)
	})
	b.fs.Float64Var(p, name, v, b.usage(env, usage))
}

func (b *binder) Duration(p *time.Duration, name, env string, def time.Duration, usage string) {
	v := parsed(b, env, b.value(name, env, def.String(), usage), time.ParseDuration)
	b.fs.DurationVar(p, name, v, b.usage(env, usage))
}

// List is a comma-separated list; empty items are dropped.
func (b *binder) List(p *[]string, name, env, usage string) {
	l := (*commaList)(p)
	_ = l.Set(b.value(name, env, "", usage))
	b.fs.Var(l, name, b.usage(env, usage))
}

// EnvOnly is a string only its environment variable sets: a secret, which
// a command line would show to every user of the machine.
func (b *binder) EnvOnly(p *string, env, usage string) {
	b.settings = append(b.settings, Setting{Env: EnvPrefix + env, Usage: usage + " (environment only)"})
	*p = b.getenv(EnvPrefix + env)
}

// FlagOnly is a boolean no environment variable can set.
func (b *binder) FlagOnly(p *bool, name, usage string) {
	b.settings = append(b.settings, Setting{Flag: "--" + name, Default: "false", Usage: usage + " (flag only)"})
	b.fs.BoolVar(p, name, false, usage+" (flag only)")
}

type commaList []string

func (l *commaList) String() string { return strings.Join(*l, ",") }

func (l *commaList) Set(s string) error {
	*l = nil
	for _, item := range strings.Split(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			*l = append(*l, item)
		}
	}
	return nil
}

// Markdown is the table of every setting, as docs/configuration.md holds it.
func Markdown() string {
	var sb strings.Builder
	sb.WriteString("# Configuration\n\n")
	sb.WriteString("Every setting is a command-line flag of `orgql serve` (and `orgql migrate`) and, except `--dev`,\n")
	sb.WriteString("an environment variable; a flag wins over its variable. `orgql --help` prints the same list.\n")
	sb.WriteString("This file is generated from the flag set: `go test ./internal/config -run TestConfigurationDoc -update`.\n\n")
	sb.WriteString("| Flag | Environment variable | Default | Meaning |\n|---|---|---|---|\n")
	for _, s := range Settings() {
		env, def, flag := "(flag only)", "`"+s.Default+"`", "`"+s.Flag+"`"
		if s.Env != "" {
			env = "`" + s.Env + "`"
		}
		if s.Flag == "" {
			flag = "(environment only)"
		}
		if s.Default == "" {
			def = "(empty)"
		}
		usage := strings.TrimSuffix(strings.TrimSuffix(strings.NewReplacer("|", `\|`, "`", "").Replace(s.Usage), " (flag only)"), " (environment only)")
		fmt.Fprintf(&sb, "| %s | %s | %s | %s |\n", flag, env, def, usage)
	}
	return sb.String()
}
