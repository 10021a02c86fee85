#!/usr/bin/env bash
# Installs the Debian packages the app and its tests need, when they are missing.
#   scripts/system-deps.sh run   -> WeasyPrint's libraries, a Korean font and GNU gettext
#   scripts/system-deps.sh test  -> the same, plus poppler-utils (pdftotext/pdffonts) and Chromium
# As root it runs apt-get; otherwise it stops and prints the exact command to run.
set -euo pipefail
mode=${1:-run}

# WeasyPrint: pango (+ft2); libharfbuzz-subset0 lets it subset fonts with HarfBuzz instead of
# falling back to fontTools, which renders PDFs 3-13x slower without any warning.
# gettext: msgfmt compiles the English catalogues (.po -> .mo, `make messages`).
packages=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-nanum gettext)
if [ "$mode" = test ]; then
  packages+=(poppler-utils chromium docker-compose)
fi

missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "이 시스템에는 apt-get이 없습니다. 다음 패키지(또는 같은 것)를 설치한 뒤 다시 실행하십시오: ${missing[*]}" >&2
  exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "필요한 시스템 패키지가 없습니다. 다음 명령을 실행한 뒤 다시 시도하십시오:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "시스템 패키지 설치: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fc-cache -f >/dev/null 2>&1 || true
