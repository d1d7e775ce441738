// Package browsertest drives the real zhanxin server with headless Debian Chromium
// (chromedp): it logs in through the form, opens the home page and a table page at
// 1366×768 and at phone width, fails on any console error, uncaught exception or failed
// request, and saves screenshots to $ZHANXIN_SCREENSHOT_DIR. Each family of pages has
// its own test file; every test starts from Open (harness_test.go), which gives a Session
// on a fresh server with the default dataset and an admin user.
//
// The test needs /usr/bin/chromium (apt-get install -y chromium; `make test` installs it
// when run as root). Without it the test is skipped with a loud message, except under
// CI=true, where a missing browser fails the run.
package browsertest
