/* Sentinella: read by Bootstrap Italia's bundle, so load it first. The bundle's video player would
 * otherwise add an inline <style> element of its own, which the Content-Security-Policy refuses (the
 * portal shows no video). */
window.VIDEOJS_NO_DYNAMIC_STYLE = true;
