#!/usr/bin/env bash
# Install the Debian packages the test suite needs, only those missing. Idempotent; needs root or sudo.
#   postgresql        — server binaries for the storage tests (a throwaway cluster on loopback per test session)
#   chromium          — the real browser Playwright drives (Playwright cannot download its own here)
#   fonts-noto-cjk    — Chinese glyphs in screenshots, charts, PDFs
#   poppler-utils     — pdftoppm/pdfinfo for the report rendering tests
#   libreoffice-writer-nogui — .docx → PDF for the bulletin
set -euo pipefail
need=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || need+=(fonts-noto-cjk)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
command -v soffice >/dev/null 2>&1 || need+=(libreoffice-writer-nogui)
if [ ${#need[@]} -eq 0 ]; then
  echo "system packages: all present"
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "system packages: installing ${need[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
