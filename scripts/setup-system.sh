#!/usr/bin/env bash
# Installs what Linli needs from the distribution (Debian 12 / Ubuntu). Idempotent: skips the apt round
# trip when everything is already there, so the README commands stay fast on a machine that ran them once.
set -euo pipefail

packages=(
  # native module builds (better-sqlite3, pcsclite) need a compiler and python for node-gyp
  python3 make g++
  # the kiosk's browser shell and the Playwright tests drive Debian's Chromium; CJK fonts so Chinese renders
  chromium fonts-noto-cjk
  # card readers: PC/SC daemon + headers for the pcsclite addon, the vpcd virtual reader for tests,
  # libusb for node-hid at run time
  pcscd libpcsclite-dev vsmartcard-vpcd libusb-1.0-0
  # benchmarks compare against nginx and load with wrk
  nginx-light wrk
  # test fixtures and OCR baselines (openssl: a throwaway certificate for the kiosk's TLS client test)
  openssl imagemagick fonts-ocr-b tesseract-ocr tesseract-ocr-eng tesseract-ocr-chi-sim
  # kiosk read-aloud: speech synthesis with a Mandarin voice (cmn); the host plays it with aplay when present
  espeak-ng
  # media library: video metadata and poster frames (ffprobe/ffmpeg), PDF first-page thumbnails (pdftoppm)
  ffmpeg poppler-utils
  # packaging: lintian checks the .deb files build-deb.sh makes (dpkg-deb and systemd-analyze come with the base)
  lintian
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup-system: all system packages present"
  exit 0
fi

echo "setup-system: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
