/** Debian's Chromium (apt-get install -y chromium; .ci/run installs it when missing). */
export const CHROMIUM = '/usr/bin/chromium';
