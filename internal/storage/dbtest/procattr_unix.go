//go:build unix && !linux

package dbtest

import "syscall"

// sysProcAttr runs a child as cred (nil: as this process). There is no
// parent-death signal outside Linux: a killed test run leaves its server
// running until its folder is swept, which makes it shut itself down.
func sysProcAttr(cred *syscall.Credential) *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Credential: cred}
}
