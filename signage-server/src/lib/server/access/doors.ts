/**
 * Door ids are derived from the property registry instead of kept in a table, so every building has its door
 * the moment it is registered: `gate-<communityId>` is the community gate, `bldg-<buildingId>` a building's
 * entrance door. A visitor pass names the gate and the visited building; a resident card opens the gate and the
 * buildings bound to it.
 */
export type DoorId = string;

export const GATE_PREFIX = 'gate-';
export const BUILDING_DOOR_PREFIX = 'bldg-';

/** The community gate's door id. */
export function gateDoorId(communityId: string): DoorId {
  return `${GATE_PREFIX}${communityId}`;
}

/** A building's door id. */
export function buildingDoorId(buildingId: string): DoorId {
  return `${BUILDING_DOOR_PREFIX}${buildingId}`;
}

/** What a door id names; null for an id of neither shape. */
export function parseDoorId(
  doorId: string,
): { kind: 'gate'; communityId: string } | { kind: 'building'; buildingId: string } | null {
  if (doorId.startsWith(GATE_PREFIX) && doorId.length > GATE_PREFIX.length)
    return { kind: 'gate', communityId: doorId.slice(GATE_PREFIX.length) };
  if (doorId.startsWith(BUILDING_DOOR_PREFIX) && doorId.length > BUILDING_DOOR_PREFIX.length)
    return { kind: 'building', buildingId: doorId.slice(BUILDING_DOOR_PREFIX.length) };
  return null;
}
