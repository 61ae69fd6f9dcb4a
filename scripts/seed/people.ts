/**
 * The people who write to the demo office. Each is one person with one name, address,
 * postcode and (for most) one email address, so a person who writes twice is the same
 * contact both times: the demo data set has no duplicate contacts to merge (issue #15:
 * eight records for one person after seeding).
 */
import type { Random } from './random.js';

const FIRST = [
  'Margaret',
  'David',
  'Aisha',
  'John',
  'Sarah',
  'Mohammed',
  'Emma',
  'Peter',
  'Grace',
  'Michael',
  'Olivia',
  'James',
  'Fatima',
  'Robert',
  'Lucy',
  'Daniel',
  'Zofia',
  'Thomas',
  'Chloe',
  'Andrew',
  'Helen',
  'Raj',
  'Agnieszka',
  'Ian',
  'Susan',
];
const LAST = [
  'Smith',
  'Jones',
  'Patel',
  'Williams',
  'Brown',
  'Khan',
  'Taylor',
  'Wilson',
  'Nowak',
  'Davies',
  'Evans',
  'Thomas',
  'Hughes',
  'Ahmed',
  'Clarke',
  'Walker',
  'Wright',
  'Hall',
  'Green',
  'Baker',
  'Kaur',
  'Murphy',
];
const STREETS = [
  'High Street',
  'Station Road',
  'Church Lane',
  'Mill Road',
  'London Road',
  'Victoria Street',
  'Park Avenue',
  'The Green',
];
export const PLACES = [
  ['Cambridge', 'CB1'],
  ['Peterborough', 'PE1'],
  ['Huntingdon', 'PE29'],
  ['Wisbech', 'PE13'],
  ['Ely', 'CB7'],
  ['St Neots', 'PE19'],
  ['March', 'PE15'],
  ['St Ives', 'PE27'],
  ['Whittlesey', 'PE7'],
  ['Chatteris', 'PE16'],
] as const;

export interface Person {
  name: string;
  town: string;
  address: string;
  postcode: string;
  email: string | null;
  phone: string | null;
}

/**
 * Makes `count` distinct people: no two share a name and postcode, an email address or a
 * telephone number (the three ways contacts are matched as likely duplicates).
 */
export function makePeople(random: Random, count: number): Person[] {
  const people: Person[] = [];
  const namePostcodes = new Set<string>();
  const emailsPerName = new Map<string, number>();
  while (people.length < count) {
    const first = random.pick(FIRST);
    const last = random.pick(LAST);
    const [town, district] = random.pick(PLACES);
    const postcode = `${district} ${1 + Math.floor(random.next() * 9)}${random.pick(['AB', 'DE', 'FG', 'HJ', 'LN'])}`;
    const name = `${first} ${last}`;
    const key = `${name}|${postcode}`;
    if (namePostcodes.has(key)) continue;
    namePostcodes.add(key);
    const local = `${first}.${last}`.toLowerCase();
    const n = (emailsPerName.get(local) ?? 0) + 1;
    emailsPerName.set(local, n);
    const index = people.length;
    people.push({
      name,
      town,
      postcode,
      address: `${1 + Math.floor(random.next() * 120)} ${random.pick(STREETS)}, ${town}`,
      // About one in five writes only by post and gives no email address.
      email: random.next() < 0.8 ? `${local}${n > 1 ? n : ''}@example.org` : null,
      // Unique numbers from Ofcom's range for drama (01632 960000 to 960999).
      phone: index < 1000 ? `01632 960${String(index).padStart(3, '0')}` : null,
    });
  }
  return people;
}

export const MPS = [
  { name: 'Daniel Zeichner MP', email: 'daniel.zeichner.mp@parliament.example.uk' },
  { name: 'Shailesh Vara MP', email: 'shailesh.vara.mp@parliament.example.uk' },
  { name: 'Stewart Jackson MP', email: 'stewart.jackson.mp@parliament.example.uk' },
  { name: 'Lucy Frazer MP', email: 'lucy.frazer.mp@parliament.example.uk' },
  { name: 'Jonathan Djanogly MP', email: 'jonathan.djanogly.mp@parliament.example.uk' },
];
