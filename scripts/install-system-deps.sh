#!/usr/bin/env bash
# System programs the test suite drives (called by `make test` before pytest).
#
# For each program that is missing: as root, install its Debian package with apt-get; otherwise
# print the package to install and go on (the tests that need it skip themselves and say so).
# Nothing is done, and apt is not called, when everything is present. Never fails the build:
# a failed install is a warning and the script exits 0. PDF fonts are bundled with egov
# (src/egov/core/static/core/fonts), so no font package is needed.
#
# EGOV_SKIP_SYSTEM_DEPS=1 skips the whole step (e.g. on a machine managed by someone else).
set -u

if [ "${EGOV_SKIP_SYSTEM_DEPS:-0}" = "1" ]; then
  exit 0
fi

# program  package(s)              what uses it
needs=(
  "chromium       chromium                       browser tests (Playwright drives Debian chromium)"
  "pdffonts       poppler-utils                  PDF tests: fonts embedded"
  "pdftotext      poppler-utils                  PDF tests: text extraction"
  "pdftoppm       poppler-utils                  PDF tests: rasterising pages"
  "pdfsig         poppler-utils                  signing tests: independent signature check"
  "softhsm2-util  softhsm2                       signing tests: PKCS#11 token"
  "tesseract      tesseract-ocr,tesseract-ocr-vie  OCR prefill of scanned documents"
  "zbarimg        zbar-tools                     QR tests: decoding with a real reader"
)

has_tesseract_vie() {
  command -v tesseract >/dev/null 2>&1 || return 1
  tesseract --list-langs 2>/dev/null | grep -qx vie
}

missing_packages=()
add_package() {
  local p
  for p in "${missing_packages[@]:-}"; do
    [ "$p" = "$1" ] && return 0
  done
  missing_packages+=("$1")
}

for line in "${needs[@]}"; do
  read -r program packages purpose <<<"$line"
  if [ "$program" = "tesseract" ]; then
    command -v tesseract >/dev/null 2>&1 || add_package tesseract-ocr
    has_tesseract_vie || add_package tesseract-ocr-vie
    continue
  fi
  if ! command -v "$program" >/dev/null 2>&1; then
    IFS=',' read -r -a pkgs <<<"$packages"
    for p in "${pkgs[@]}"; do add_package "$p"; done
  fi
done

if [ "${#missing_packages[@]}" -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" != "0" ]; then
  for p in "${missing_packages[@]}"; do
    echo "install-system-deps: missing package ${p} (as root: apt-get install ${p}); the tests that need it will be skipped"
  done
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-system-deps: warning: no apt-get here; install by hand: ${missing_packages[*]}" >&2
  exit 0
fi

export DEBIAN_FRONTEND=noninteractive
apt_opts=(-y -q --no-install-recommends -o Dpkg::Use-Pty=0 -o Acquire::Retries=1 -o Acquire::http::Timeout=30 -o DPkg::Lock::Timeout=120)

echo "install-system-deps: installing ${missing_packages[*]}"
if ! apt-get update -qq >/dev/null 2>&1; then
  echo "install-system-deps: warning: apt-get update failed; trying to install from the current package lists" >&2
fi

if ! apt-get install "${apt_opts[@]}" "${missing_packages[@]}" >/dev/null; then
  # One unavailable package must not keep the others out: try them one by one.
  for p in "${missing_packages[@]}"; do
    if ! apt-get install "${apt_opts[@]}" "$p" >/dev/null; then
      echo "install-system-deps: warning: could not install ${p}; the tests that need it will be skipped" >&2
    fi
  done
fi
exit 0
