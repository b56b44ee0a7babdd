import { captureStationTicket } from '$lib/station/reader-bridge.svelte';

// Runs once when the app starts in the browser, before the router reads the URL: a station kiosk hands the
// console its reader bridge in the URL fragment (station mode), which must leave the address bar at once.
captureStationTicket();
