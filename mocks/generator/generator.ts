import {
  BANKS,
  BRANCH_KINDS,
  BRAND_FIRST,
  BRAND_SECOND,
  CENTRAL_AGENCIES,
  EMPLOYMENT_KINDS,
  ENTERPRISE_TYPES,
  HAMLET_WORDS,
  INDUSTRIES,
  PROVINCIAL_DEPARTMENTS,
  RANKS,
  RELIGIONS,
  STREETS,
  TWO_WORD_BRANDS,
  brand,
  type EnterpriseType,
  type Industry,
  type Rank,
} from './catalogues';
import {
  DATA_AS_OF,
  REORGANISATION_DAY,
  addMonths,
  addYears,
  ageOn,
  day,
  isoDate,
  monthStart,
  monthsBetween,
  timestamp,
  yearOf,
} from './dates';
import {
  CURRENT_VALID_FROM,
  LEGACY_VALID_UNTIL,
  geographyFor,
  type Commune,
  type Geography,
  type LegacyCommune,
  type LegacyProvince,
  type Province,
} from './geography';
import { addTaxpayers, taxOfficeRows } from './finance';
import { familyName, givenNames, stripDiacritics, type Region, type Sex } from './names';
import { Random, Scrambler, Stream, Weighted, hash32 } from './random';
import { emptyBatch, type Batch } from './tables';

/** What to generate: the same options always give the same rows. */
export interface DatasetOptions {
  citizens: number;
  seed: number;
  /** Citizens per chunk (with everything that belongs to them); 10,000 unless set. */
  chunkSize?: number;
}

export const DEFAULT_CHUNK_SIZE = 10_000;
/** Changes whenever the same options would give different rows, so stored data sets go stale. */
export const GENERATOR_VERSION = 6;
/** About one enterprise per 100 citizens (1 million enterprises for 100 million people). */
export const CITIZENS_PER_ENTERPRISE = 100;

type Relation = 'HEAD' | 'SPOUSE' | 'CHILD' | 'PARENT' | 'OTHER';
type Marital = 'SINGLE' | 'MARRIED' | 'DIVORCED' | 'WIDOWED';

interface Household {
  id: string;
  commune: Commune;
  legacy: LegacyCommune;
  street: string;
  registeredOn: number;
  region: Region;
  members: Person[];
}

interface Person {
  id: string;
  sex: Sex;
  dob: number;
  age: number;
  birthProvince: string;
  familyName: string;
  fullName: string;
  ethnicity: string;
  religion: string;
  hometown: string;
  household: Household;
  relation: Relation;
  fatherId: string | null;
  motherId: string | null;
  spouse: Person | null;
  marital: Marital;
  diedOn: number | null;
  registeredOn: number;
  /** First day in the civil service, for civil servants. */
  civilServiceFrom: number | null;
}

interface Couple {
  father: Person;
  mother: Person;
}

interface PersonSpec {
  sex: Sex;
  age: number;
  relation: Relation;
  ethnicity: string;
  religion: string;
  father?: Person | null;
  mother?: Person | null;
  familyName?: string;
  bornInResidence?: number;
}

export interface EnterpriseSkeleton {
  index: number;
  code: string;
  legacyProvince: LegacyProvince;
  foundedOn: number;
  status: 'ACTIVE' | 'SUSPENDED' | 'IN_DISSOLUTION' | 'DISSOLVED' | 'BANKRUPT';
}

interface ChunkEnterprise {
  skeleton: EnterpriseSkeleton;
  legacy: LegacyCommune;
  commune: Commune;
  street: string;
}

export interface Agency {
  code: string;
  name: string;
  level: 'CENTRAL' | 'PROVINCE' | 'COMMUNE';
  provinceCode: string | null;
  communeCode: string | null;
  parentCode: string | null;
  family: Rank['family'];
}

const HOUSEHOLD_SIZES = new Weighted<number>([
  [1, 10],
  [2, 18],
  [3, 22],
  [4, 27],
  [5, 13],
  [6, 7],
  [7, 3],
]);
const ENTERPRISE_STATUS = new Weighted<EnterpriseSkeleton['status']>([
  ['ACTIVE', 78],
  ['SUSPENDED', 8],
  ['IN_DISSOLUTION', 4],
  ['DISSOLVED', 8],
  ['BANKRUPT', 2],
]);
const ENTERPRISE_TYPE_WEIGHTS = new Weighted<EnterpriseType>(
  ENTERPRISE_TYPES.map((t) => [t, t.weight] as const),
);
const INDUSTRY_WEIGHTS = new Weighted<Industry>(INDUSTRIES.map((i) => [i, i.weight] as const));
const BANK_WEIGHTS = new Weighted<string>(BANKS);
const BRANCH_KIND_WEIGHTS = new Weighted<string>(BRANCH_KINDS);
const RELIGION_WEIGHTS: Record<Region, Weighted<string>> = {
  NORTH: new Weighted(RELIGIONS.NORTH.map(([n, w]) => [n.normalize('NFC'), w] as const)),
  CENTRAL: new Weighted(RELIGIONS.CENTRAL.map(([n, w]) => [n.normalize('NFC'), w] as const)),
  SOUTH: new Weighted(RELIGIONS.SOUTH.map(([n, w]) => [n.normalize('NFC'), w] as const)),
};
/** Where people move for work and register a temporary residence (tạm trú). */
const MIGRATION_TARGETS = new Weighted<string>([
  ['79', 45],
  ['01', 28],
  ['75', 9],
  ['24', 7],
  ['31', 6],
  ['48', 5],
]);
/** Enterprises cluster in the big cities far beyond their share of the population. */
const ENTERPRISE_DENSITY: Record<string, number> = {
  '79': 3.5,
  '01': 3,
  '74': 1.5,
  '48': 1.5,
  '31': 1.3,
  '75': 1.2,
  '27': 1.1,
  '92': 1,
};
const AGRICULTURAL_USES = new Weighted<string>([
  ['LUC', 40],
  ['BHK', 15],
  ['CLN', 25],
  ['NTS', 10],
  ['RSX', 10],
]);
const CERTIFICATE_LETTERS = 'ABCDEGHKLMNPQRSTUVXY';

const DAY_1990 = day(1990, 1, 1);
const DAY_1993 = day(1993, 10, 15);
const DAY_1995 = day(1995, 1, 1);
const LAND_LAW_2013_EXPIRY = isoDate(day(2063, 10, 15));
const DAY_2014 = day(2014, 7, 1);
const DAY_2015 = day(2015, 1, 1);
const DAY_2016 = day(2016, 1, 1);
const DAY_2021 = day(2021, 1, 1);
const DAY_2021_07 = day(2021, 7, 1);
const DAY_2023 = day(2023, 1, 1);
const DAY_2024_07 = day(2024, 7, 1);
const DAY_2025_03 = day(2025, 3, 1);
const pad = (n: number, width: number): string => String(n).padStart(width, '0');
const lowerFirst = (s: string): string => s.charAt(0).toLowerCase() + s.slice(1);
const money = (x: number, unit: number): number => Math.max(unit, Math.round(x / unit) * unit);

/**
 * Generates the six national databases chunk by chunk. Chunks must be consumed in order: the
 * serial-number counters (citizen ids, household numbers, ...) run across chunks, which keeps
 * every identifier unique while only one chunk's rows are held in memory.
 */
export class NationalDataGenerator {
  readonly citizens: number;
  readonly seed: number;
  readonly chunkSize: number;
  readonly geography: Geography;
  readonly enterpriseCount: number;
  readonly agencies: Agency[];
  private nextChunk = 0;

  private readonly citizenSerials = new Map<string, number>();
  private readonly householdSerials = new Map<string, number>();
  private readonly parcelNumbers = new Map<string, number>();
  private readonly certificateSerials = new Map<number, number>();
  private readonly insuranceSerials = new Map<string, number>();
  private civilServantCount = 0;
  private mortgageCount = 0;
  private contributionCount = 0;
  private readonly elderCouples: Couple[] = [];
  private readonly skeletons = new Map<number, EnterpriseSkeleton>();

  private readonly scramble6: Scrambler;
  private readonly scramble7: Scrambler;
  private readonly scramble8: Scrambler;
  private readonly brands: Scrambler;
  private readonly enterpriseProvinces: Weighted<LegacyProvince>;
  private readonly agenciesByProvince = new Map<string, Weighted<Agency>>();
  private readonly communeAgencies = new Map<string, Agency>();
  private readonly centralAgencies: Agency[];
  private readonly districtNames: Map<string, string>;

  constructor(options: DatasetOptions) {
    if (!Number.isSafeInteger(options.citizens) || options.citizens < 0) {
      throw new RangeError(`citizens must be a non-negative integer, got ${options.citizens}`);
    }
    if (!Number.isSafeInteger(options.seed))
      throw new RangeError(`seed must be an integer, got ${options.seed}`);
    this.citizens = options.citizens;
    this.seed = options.seed;
    this.chunkSize = Math.max(1, options.chunkSize ?? DEFAULT_CHUNK_SIZE);
    this.geography = geographyFor(options.seed);
    this.enterpriseCount = enterprisesBefore(options.citizens);
    this.scramble6 = new Scrambler(10 ** 6, options.seed);
    this.scramble7 = new Scrambler(10 ** 7, options.seed);
    this.scramble8 = new Scrambler(10 ** 8, options.seed);
    // Brands are dealt out without repetition, two-word ones first (the usual kind), then
    // three-word ones, then qualified ones, as the data set needs more.
    this.brands = new Scrambler(Math.max(this.enterpriseCount, TWO_WORD_BRANDS), options.seed);
    this.enterpriseProvinces = new Weighted(
      this.geography.legacyProvinces.map(
        (p) => [p, p.population * (ENTERPRISE_DENSITY[p.code] ?? 0.5)] as const,
      ),
    );
    this.districtNames = new Map(this.geography.legacyDistricts.map((d) => [d.code, d.fullName]));
    this.agencies = buildAgencies(
      this.geography,
      options.seed,
      Math.floor(options.citizens / 2000) + 20,
    );
    this.centralAgencies = this.agencies.filter((a) => a.level === 'CENTRAL');
    for (const province of this.geography.provinces) {
      const local = this.agencies.filter((a) => a.provinceCode === province.code);
      const entries: (readonly [Agency, number])[] = local.map((a) => [
        a,
        a.level === 'COMMUNE' ? 1 : a.parentCode ? 2 : 3,
      ]);
      for (const a of this.centralAgencies)
        entries.push([a, province.code === '01' ? 4 : local.length === 0 ? 1 : 0.1]);
      this.agenciesByProvince.set(province.code, new Weighted(entries));
    }
    for (const agency of this.agencies)
      if (agency.communeCode) this.communeAgencies.set(agency.communeCode, agency);
  }

  get chunkCount(): number {
    return Math.ceil(this.citizens / this.chunkSize);
  }

  /** Catalogues and administrative units: rows that do not belong to any citizen. */
  staticBatch(): Batch {
    const batch = emptyBatch();
    const random = new Random(Stream.geography, this.seed, 2);
    const g = this.geography;
    const unitUpdated = (): string =>
      timestamp(REORGANISATION_DAY + random.int(20), 28_800 + random.int(32_400));
    for (const p of g.provinces) {
      batch['reference.units'].push([
        p.code,
        p.fullName,
        'PROVINCE',
        p.kind,
        null,
        p.validFrom,
        unitUpdated(),
      ]);
    }
    for (const c of g.communes) {
      batch['reference.units'].push([
        c.code,
        c.fullName,
        'COMMUNE',
        c.kind,
        c.provinceCode,
        CURRENT_VALID_FROM,
        unitUpdated(),
      ]);
    }
    const legacy = batch['reference.legacy_units'];
    for (const p of g.legacyProvinces)
      legacy.push([
        p.code,
        p.fullName,
        'PROVINCE',
        p.kind,
        null,
        p.successorCode,
        LEGACY_VALID_UNTIL,
      ]);
    for (const d of g.legacyDistricts) {
      legacy.push([
        d.code,
        d.fullName,
        'DISTRICT',
        d.kind,
        d.provinceCode,
        d.successorCode,
        LEGACY_VALID_UNTIL,
      ]);
    }
    for (const c of g.legacyCommunes) {
      legacy.push([
        c.code,
        c.fullName,
        'COMMUNE',
        c.kind,
        c.districtCode,
        c.successor.code,
        LEGACY_VALID_UNTIL,
      ]);
    }
    for (const c of g.legacyCommunes) {
      for (const other of c.alsoTo) {
        for (const part of other.parts)
          batch['reference.legacy_successors'].push([c.code, other.successor.code, part]);
      }
    }
    for (const t of ENTERPRISE_TYPES) batch['enterprise.enterprise_types'].push([t.code, t.name]);
    for (const i of INDUSTRIES) batch['enterprise.industry_codes'].push([i.code, i.name]);
    for (const r of RANKS) batch['civil_service.ranks'].push([r.code, r.name, r.category]);
    batch['finance.tax_offices'].push(...taxOfficeRows(g, this.seed));
    for (const a of this.agencies) {
      const updated = timestamp(REORGANISATION_DAY + random.int(60), 28_800 + random.int(32_400));
      batch['civil_service.agencies'].push([
        a.code,
        a.name,
        a.level,
        a.provinceCode,
        a.parentCode,
        updated,
      ]);
    }
    return batch;
  }

  /** Every chunk in order; each holds its citizens and everything that belongs to them. */
  *chunks(): Generator<Batch> {
    while (this.nextChunk < this.chunkCount) yield this.generateChunk(this.nextChunk);
  }

  /** The enterprise with this index (0-based), computable without generating its chunk. */
  enterpriseSkeleton(index: number): EnterpriseSkeleton {
    let skeleton = this.skeletons.get(index);
    if (skeleton) return skeleton;
    const random = new Random(Stream.enterprise, this.seed, index);
    const legacyProvince = this.enterpriseProvinces.draw(random);
    // The first 2% are the large, old employers that most insured people work for.
    const large = index < Math.max(1, Math.floor(this.enterpriseCount * 0.02));
    const latestYear = yearOf(DATA_AS_OF);
    const year = large
      ? random.range(1992, 2005)
      : latestYear - Math.floor((latestYear - 1994) * random.float() ** 1.5);
    const foundedOn = Math.min(day(year, 1, 1) + random.int(365), DATA_AS_OF - 1);
    // Codes never change: one founded before the reorganisation keeps its old province prefix.
    const prefix =
      foundedOn >= REORGANISATION_DAY ? legacyProvince.successorCode : legacyProvince.code;
    skeleton = {
      index,
      code: prefix + this.scramble8.serial(index),
      legacyProvince,
      foundedOn,
      status: large ? 'ACTIVE' : ENTERPRISE_STATUS.draw(random),
    };
    if (this.skeletons.size < 200_000) this.skeletons.set(index, skeleton);
    return skeleton;
  }

  /** The enterprise's brand, unique within the data set. */
  private brand(index: number): string {
    return brand(this.brands.index(index));
  }

  private generateChunk(index: number): Batch {
    if (index !== this.nextChunk)
      throw new Error(`chunk ${index} requested before chunk ${this.nextChunk}`);
    this.nextChunk++;
    const random = new Random(Stream.chunk, this.seed, index);
    const batch = emptyBatch();
    const first = index * this.chunkSize;
    const last = Math.min(this.citizens, first + this.chunkSize);
    const people: Person[] = [];
    const households: Household[] = [];
    while (people.length < last - first) {
      const household = this.household(random, last - first - people.length);
      households.push(household);
      people.push(...household.members);
    }
    for (const person of people) this.emitCitizen(random, batch, person);
    for (const household of households) {
      const latest = Math.max(...household.members.map((m) => m.registeredOn));
      const head = household.members[0];
      batch['population.households'].push([
        household.id,
        head.id,
        household.commune.code,
        household.street,
        this.updatedAt(random, Math.max(latest, DAY_2021_07)),
      ]);
    }
    this.civilServants(random, batch, people);
    const enterprises = this.enterprises(
      random,
      batch,
      people,
      enterprisesBefore(first),
      enterprisesBefore(last),
    );
    this.land(random, batch, households, enterprises);
    this.insurance(random, batch, people);
    addTaxpayers(this.geography, this.seed, index, batch);
    return batch;
  }

  // Population --------------------------------------------------------------------------------

  private household(random: Random, room: number): Household {
    const g = this.geography;
    const size = Math.min(HOUSEHOLD_SIZES.draw(random), room);
    const residenceProvince = g.legacyProvinceWeights.draw(random);
    const legacy = (g.residenceIn.get(residenceProvince.code) as Weighted<LegacyCommune>).draw(
      random,
    );
    const commune = legacy.successor;
    const household: Household = {
      id: this.householdId(commune.code),
      commune,
      legacy,
      street: '',
      registeredOn: 0,
      region: residenceProvince.region,
      members: [],
    };
    household.street = this.street(random, commune, residenceProvince.region);
    const religion = RELIGION_WEIGHTS[residenceProvince.region].draw(random);
    const ethnicity = residenceProvince.ethnicities.draw(random);

    let headAge: number;
    if (size === 1) {
      const band = random.float();
      headAge =
        band < 0.3
          ? random.range(18, 34)
          : band < 0.55
            ? random.range(35, 59)
            : random.range(60, 95);
    } else if (random.chance(0.14)) headAge = random.range(60, 90);
    else {
      headAge = Math.round(Math.min(88, 42 + 12 * random.normal()));
      if (headAge < 23) headAge = random.range(23, 40);
    }
    // Heads are mostly men, except among people living alone, where elderly widows dominate.
    const femaleHead = size > 1 ? 0.25 : headAge >= 60 ? 0.7 : 0.5;
    const headSex: Sex = random.chance(femaleHead) ? 'FEMALE' : 'MALE';

    const parents = this.elderParents(random, headAge);
    const head = this.person(random, household, {
      sex: headSex,
      age: headAge,
      relation: 'HEAD',
      ethnicity,
      religion,
      father: parents?.father,
      mother: parents?.mother,
    });
    household.registeredOn = this.householdRegistration(random, head.dob);
    const members = [head];
    let spouse: Person | null = null;
    if (size >= 2 && random.chance(size === 2 ? 0.6 : 0.88)) {
      const gap = random.range(0, 7);
      const spouseAge = Math.max(18, headSex === 'MALE' ? headAge - gap : headAge + gap);
      // Never the head's own parents: the two would be siblings.
      const candidates = this.elderParents(random, spouseAge);
      const spouseParents = candidates === parents ? undefined : candidates;
      spouse = this.person(random, household, {
        sex: headSex === 'MALE' ? 'FEMALE' : 'MALE',
        age: spouseAge,
        relation: 'SPOUSE',
        ethnicity: random.chance(0.85) ? ethnicity : residenceProvince.ethnicities.draw(random),
        religion: random.chance(0.9)
          ? religion
          : RELIGION_WEIGHTS[residenceProvince.region].draw(random),
        father: spouseParents?.father,
        mother: spouseParents?.mother,
      });
      marry(head, spouse);
      members.push(spouse);
    }
    const father = head.sex === 'MALE' ? head : spouse;
    const mother = head.sex === 'FEMALE' ? head : spouse;

    const threeGenerations = headAge >= 52 && size - members.length >= 3 && random.chance(0.6);
    if (
      !threeGenerations &&
      !parents &&
      headAge <= 55 &&
      size - members.length >= 1 &&
      random.chance(size >= 5 ? 0.4 : 0.15)
    ) {
      // The head's own parents live with the family.
      const both = size - members.length >= 2 && random.chance(0.5);
      const fatherAge = Math.min(98, headAge + random.range(22, 36));
      const motherAge = Math.min(98, Math.max(headAge + 18, fatherAge - random.range(0, 6)));
      let grandfather: Person | null = null;
      let grandmother: Person | null = null;
      if (both || random.chance(0.3)) {
        grandfather = this.person(random, household, {
          sex: 'MALE',
          age: fatherAge,
          relation: 'PARENT',
          ethnicity,
          religion,
          familyName: head.familyName,
        });
        members.push(grandfather);
      }
      if (both || !grandfather) {
        grandmother = this.person(random, household, {
          sex: 'FEMALE',
          age: motherAge,
          relation: 'PARENT',
          ethnicity,
          religion,
        });
        members.push(grandmother);
      }
      if (grandfather && grandmother) marry(grandfather, grandmother);
      else if (grandmother) grandmother.marital = 'WIDOWED';
      else if (grandfather) grandfather.marital = 'WIDOWED';
      head.fatherId = grandfather?.id ?? null;
      head.motherId = grandmother?.id ?? null;
      for (const elder of [grandfather, grandmother]) {
        if (elder && elder.age >= 70 && random.chance(elder.age >= 80 ? 0.3 : 0.12)) {
          elder.diedOn = DATA_AS_OF - random.range(10, 4 * 365);
          if (elder.spouse) elder.spouse.marital = 'WIDOWED';
        }
      }
    }

    const parentAge = mother ? mother.age : father ? father.age - 3 : headAge;
    if (threeGenerations) {
      // An adult child stays with the parents, with a spouse and children of their own.
      const childAge = Math.max(22, parentAge - random.range(20, 30));
      const child = this.person(random, household, {
        sex: random.chance(0.7) ? 'MALE' : 'FEMALE',
        age: childAge,
        relation: 'CHILD',
        ethnicity,
        religion,
        father,
        mother,
        bornInResidence: 0.9,
      });
      const inLaw = this.person(random, household, {
        sex: child.sex === 'MALE' ? 'FEMALE' : 'MALE',
        age: Math.max(
          20,
          childAge + (child.sex === 'MALE' ? -random.range(0, 5) : random.range(0, 5)),
        ),
        relation: 'OTHER',
        ethnicity,
        religion,
      });
      marry(child, inLaw);
      members.push(child, inLaw);
      const youngFather = child.sex === 'MALE' ? child : inLaw;
      const youngMother = child.sex === 'FEMALE' ? child : inLaw;
      while (members.length < size) {
        const age = youngMother.age - random.range(20, 34);
        if (age < 0) break;
        members.push(
          this.person(random, household, {
            sex: randomSex(random),
            age,
            relation: 'OTHER',
            ethnicity,
            religion,
            father: youngFather,
            mother: youngMother,
            bornInResidence: 0.92,
          }),
        );
      }
    }
    while (members.length < size) {
      const age = parentAge - random.range(20, 38);
      if ((father || mother) && age >= 0) {
        const child = this.person(random, household, {
          sex: randomSex(random),
          age,
          relation: 'CHILD',
          ethnicity,
          religion,
          father,
          mother,
          bornInResidence: 0.92,
        });
        members.push(child);
      } else {
        // A grandchild, niece, sibling or other relative registered in the household.
        const age = random.chance(0.5)
          ? random.range(0, 17)
          : Math.max(0, Math.min(90, headAge + random.range(-15, 10)));
        members.push(
          this.person(random, household, {
            sex: randomSex(random),
            age,
            relation: 'OTHER',
            ethnicity,
            religion,
          }),
        );
      }
    }

    for (const member of members) {
      if (member.marital !== 'SINGLE' || member.age < 18) continue;
      if (member.relation === 'HEAD') {
        const hasChildren = members.some((m) => m.relation === 'CHILD');
        const r = random.float();
        if (member.age >= 60)
          member.marital = r < 0.6 ? 'WIDOWED' : r < 0.68 ? 'DIVORCED' : 'SINGLE';
        else if (hasChildren)
          member.marital = r < 0.5 ? 'DIVORCED' : r < 0.8 ? 'WIDOWED' : 'SINGLE';
        else if (member.age >= 30 && r < 0.2) member.marital = 'DIVORCED';
      } else if (member.age >= 35 && random.chance(0.08)) member.marital = 'DIVORCED';
    }
    for (const member of members) {
      const atBirth = member.dob + random.int(45);
      member.registeredOn = Math.min(DATA_AS_OF, Math.max(household.registeredOn, atBirth));
    }
    household.members = members;
    if (father && mother && father.age >= 42 && mother.age <= 75) {
      this.elderCouples.push({ father, mother });
      if (this.elderCouples.length > 4000) this.elderCouples.splice(0, 2000);
    }
    return household;
  }

  /**
   * Parents living in another household: grown children move out, and the population database
   * links them to their parents anyway.
   */
  private elderParents(random: Random, age: number): Couple | undefined {
    if (age > 60 || this.elderCouples.length === 0 || !random.chance(0.45)) return undefined;
    const n = this.elderCouples.length;
    const start = random.int(n);
    for (let k = 0; k < 24; k++) {
      const couple = this.elderCouples[(start + k * 7) % n];
      const fatherGap = couple.father.age - age;
      const motherGap = couple.mother.age - age;
      if (fatherGap >= 20 && fatherGap <= 42 && motherGap >= 18 && motherGap <= 40) return couple;
    }
    return undefined;
  }

  private person(random: Random, household: Household, spec: PersonSpec): Person {
    const g = this.geography;
    const father = spec.father ?? null;
    const mother = spec.mother ?? null;
    const dob = DATA_AS_OF - Math.floor((spec.age + random.float()) * 365.2425) - 1;
    let birthProvince: LegacyProvince;
    if (father && random.chance(spec.bornInResidence ?? 0.8)) {
      birthProvince = spec.bornInResidence
        ? (g.legacyProvinceByCode.get(household.legacy.provinceCode) as LegacyProvince)
        : (g.legacyProvinceByCode.get(father.household.legacy.provinceCode) as LegacyProvince);
    } else if (random.chance(0.72))
      birthProvince = g.legacyProvinceByCode.get(household.legacy.provinceCode) as LegacyProvince;
    else birthProvince = g.legacyProvinceWeights.draw(random);
    const family =
      spec.familyName ??
      father?.familyName ??
      (mother && random.chance(0.7)
        ? mother.familyName
        : familyName(random, spec.ethnicity, birthProvince.region));
    const birthYear = yearOf(dob);
    const fullName = `${family} ${givenNames(random, spec.sex, birthYear, mother?.familyName)}`;
    const hometown =
      father?.hometown ??
      (g.residenceIn.get(birthProvince.code) as Weighted<LegacyCommune>).draw(random).successor
        .code;
    return {
      id: this.citizenId(birthProvince.code, spec.sex, birthYear),
      sex: spec.sex,
      dob,
      age: ageOn(dob, DATA_AS_OF),
      birthProvince: birthProvince.code,
      familyName: family,
      fullName,
      ethnicity: spec.ethnicity,
      religion: spec.religion,
      hometown,
      household,
      relation: spec.relation,
      fatherId: father?.id ?? null,
      motherId: mother?.id ?? null,
      spouse: null,
      marital: 'SINGLE',
      diedOn: null,
      registeredOn: 0,
      civilServiceFrom: null,
    };
  }

  /** Personal identification number: province of birth registration, century and sex, year, serial. */
  private citizenId(province: string, sex: Sex, birthYear: number): string {
    const centurySex = (birthYear >= 2000 ? 2 : 0) + (sex === 'FEMALE' ? 1 : 0);
    const prefix = `0${province}${centurySex}${pad(birthYear % 100, 2)}`;
    const count = this.citizenSerials.get(prefix) ?? 0;
    this.citizenSerials.set(prefix, count + 1);
    return prefix + this.scramble6.serial(count, Number(prefix));
  }

  private householdId(communeCode: string): string {
    const count = this.householdSerials.get(communeCode) ?? 0;
    this.householdSerials.set(communeCode, count + 1);
    return communeCode + this.scramble7.serial(count, Number(communeCode));
  }

  private householdRegistration(random: Random, headDob: number): number {
    const start = Math.max(addYears(headDob, 18), DAY_1990);
    if (start >= REORGANISATION_DAY || random.chance(0.04)) {
      const from = Math.max(start, REORGANISATION_DAY);
      return from + random.int(Math.max(1, DATA_AS_OF - from));
    }
    return start + Math.floor((REORGANISATION_DAY - 1 - start) * random.float() ** 0.8);
  }

  private street(random: Random, commune: Commune, region: Region): string {
    if (commune.kind === 'WARD') {
      const n = random.range(1, 320);
      const name = random.pick(STREETS);
      if (region === 'NORTH' && random.chance(0.5))
        return `Số ${n}, ngõ ${random.range(2, 180)}, phố ${name}`;
      if (region === 'SOUTH' && random.chance(0.4)) return `${n}/${random.range(1, 60)} ${name}`;
      return `Số ${n} đường ${name}`;
    }
    const word = random.pick(HAMLET_WORDS[region]);
    const name = random.chance(0.45)
      ? String(random.range(1, 12))
      : `${random.pick(BRAND_FIRST)} ${random.pick(BRAND_SECOND)}`;
    return `${word} ${name}`;
  }

  private emitCitizen(random: Random, batch: Batch, p: Person): void {
    const household = p.household;
    let temporaryStreet: string | null = null;
    let temporaryCommune: string | null = null;
    if (p.age >= 18 && p.age <= 45 && p.diedOn === null && random.chance(0.07)) {
      const province = this.geography.provinceByCode.get(
        MIGRATION_TARGETS.draw(random),
      ) as Province;
      const commune = this.communeIn(random, province);
      if (commune.code !== household.commune.code) {
        temporaryCommune = commune.code;
        temporaryStreet = this.street(random, commune, regionOfProvince(province));
      }
    }
    batch['population.citizens'].push([
      p.id,
      p.fullName,
      isoDate(p.dob),
      p.sex,
      p.ethnicity,
      p.religion,
      'VN',
      p.birthProvince,
      p.hometown,
      household.id,
      p.relation,
      household.street,
      household.commune.code,
      p.registeredOn < REORGANISATION_DAY ? household.legacy.code : null,
      isoDate(p.registeredOn),
      temporaryStreet,
      temporaryCommune,
      p.fatherId,
      p.motherId,
      p.spouse?.id ?? null,
      p.marital,
      p.diedOn === null ? null : isoDate(p.diedOn),
      this.updatedAt(random, Math.max(p.registeredOn, p.diedOn ?? 0, DAY_2021_07)),
    ]);
    // Chip-based citizen identity cards: compulsory from 14, optional for children since July 2024.
    const fourteen = addYears(p.dob, 14);
    if (
      fourteen <= DATA_AS_OF ? random.chance(0.97) : p.dob < DATA_AS_OF - 60 && random.chance(0.08)
    ) {
      const earliest = fourteen <= DATA_AS_OF ? fourteen : Math.max(DAY_2024_07, p.dob + 30);
      const band = random.float();
      const preferred =
        band < 0.65
          ? DAY_2021 + random.int(730)
          : band < 0.8
            ? DAY_2016 + random.int(1826)
            : DAY_2023 + random.int(1000);
      const latest = p.diedOn ?? DATA_AS_OF;
      const issued = Math.min(latest, Math.max(earliest, preferred));
      const issuedAge = ageOn(p.dob, issued);
      // Cards are renewed at 14, 25, 40 and 60; one issued within two years of 25, 40 or 60
      // lasts to the next age, and one issued from 58 on never expires.
      let expires: number | null = issuedAge < 14 ? addYears(p.dob, 14) : null;
      for (const milestone of [25, 40, 60]) {
        if (expires === null && issuedAge < milestone - 2) expires = addYears(p.dob, milestone);
      }
      const authority =
        issued >= DAY_2024_07
          ? 'Bộ Công an'
          : issued >= DAY_2021
            ? 'Cục Cảnh sát quản lý hành chính về trật tự xã hội'
            : 'Cục Cảnh sát ĐKQL cư trú và DLQG về dân cư';
      batch['population.identity_cards'].push([
        p.id,
        isoDate(issued),
        expires === null ? null : isoDate(expires),
        authority,
        this.updatedAt(random, issued, Math.min(DATA_AS_OF, issued + 30)),
      ]);
    }
  }

  /** A current commune of a province, weighted by where people live. */
  private communeIn(random: Random, province: Province): Commune {
    const g = this.geography;
    const legacyCode =
      province.legacyCodes.length === 1
        ? province.legacyCodes[0]
        : random.pick(province.legacyCodes);
    return (g.residenceIn.get(legacyCode) as Weighted<LegacyCommune>).draw(random).successor;
  }

  /** A deterministic last-change timestamp between two days, in office hours. */
  private updatedAt(random: Random, from: number, to = DATA_AS_OF): string {
    const start = Math.min(from, to);
    return timestamp(start + random.int(Math.max(1, to - start + 1)), 25_200 + random.int(39_600));
  }

  // Civil servants ----------------------------------------------------------------------------

  private civilServants(random: Random, batch: Batch, people: Person[]): void {
    for (const p of people) {
      if (p.diedOn !== null) continue;
      const serving = p.age >= 23 && p.age <= 60 && random.chance(0.026);
      const retired = !serving && p.age >= 61 && p.age <= 72 && random.chance(0.008);
      if (!serving && !retired) continue;
      const province = p.household.commune.provinceCode;
      const own = this.communeAgencies.get(p.household.commune.code);
      const agency =
        own && random.chance(0.5)
          ? own
          : (this.agenciesByProvince.get(province) as Weighted<Agency>).draw(random);
      const startAge = random.range(22, Math.max(22, Math.min(p.age, 35)));
      const startedOn = Math.min(DATA_AS_OF - 30, addYears(p.dob, startAge) + random.int(365));
      p.civilServiceFrom = startedOn;
      const years = Math.max(0, (DATA_AS_OF - startedOn) / 365.25);
      const rank = pickRank(random, agency.family, years);
      const stepYears = rank.category === 'B' ? 2 : 3;
      const rankYears = rank.seniority >= 2 ? Math.max(0, years - 9 * (rank.seniority - 1)) : years;
      const grade = Math.min(rank.grades, 1 + Math.floor(rankYears / stepYears));
      const coefficient = (rank.firstCoefficient + rank.step * (grade - 1)).toFixed(2);
      const status = retired ? 'RETIRED' : random.chance(0.015) ? 'SUSPENDED' : 'SERVING';
      batch['civil_service.civil_servants'].push([
        'CC' + this.scramble8.serial(this.civilServantCount++, 1),
        p.id,
        agency.code,
        position(random, agency, rank, years),
        rank.code,
        grade,
        coefficient,
        random.chance(0.8) ? EMPLOYMENT_KINDS.civilServant : EMPLOYMENT_KINDS.publicEmployee,
        isoDate(startedOn),
        status,
        this.updatedAt(random, Math.max(startedOn, DAY_2021)),
      ]);
    }
  }

  // Enterprises ---------------------------------------------------------------------------------

  private enterprises(
    random: Random,
    batch: Batch,
    people: Person[],
    from: number,
    to: number,
  ): ChunkEnterprise[] {
    const result: ChunkEnterprise[] = [];
    const adults = people.filter((p) => p.diedOn === null && p.age >= 22 && p.age <= 72);
    const eligible = adults.filter((p) => p.civilServiceFrom === null);
    const pool =
      eligible.length > 0
        ? eligible
        : adults.length > 0
          ? adults
          : people.filter((p) => p.diedOn === null);
    for (let e = from; e < to; e++) {
      const skeleton = this.enterpriseSkeleton(e);
      const type = ENTERPRISE_TYPE_WEIGHTS.draw(random);
      const main = INDUSTRY_WEIGHTS.draw(random);
      const brand = this.brand(e);
      const withField = random.chance(0.75);
      const name = withField ? `${type.prefix} ${main.field} ${brand}` : `${type.prefix} ${brand}`;
      let foreignName: string | null = null;
      let shortName: string | null = null;
      if (type.code !== 'DNTN' && random.chance(0.6)) {
        const ascii = stripDiacritics(brand).toUpperCase();
        foreignName = `${ascii} ${withField ? `${main.fieldEnglish} ` : ''}${type.foreignSuffix}`;
        if (random.chance(0.6)) shortName = `${ascii.replace(/ /g, '')} ${type.shortSuffix}`;
      }
      const legacy = (
        this.geography.residenceIn.get(skeleton.legacyProvince.code) as Weighted<LegacyCommune>
      ).draw(random);
      const commune = legacy.successor;
      const street = this.street(random, commune, skeleton.legacyProvince.region);
      const capitalMedian = type.code === 'CP' ? 8e9 : type.code === 'DNTN' ? 8e8 : 2e9;
      const slug = stripDiacritics(brand).toLowerCase().replace(/ /g, '');
      const email = random.chance(0.65)
        ? random.chance(0.5)
          ? `${slug}${random.range(1, 99)}@gmail.com`
          : `info@${slug}.com.vn`
        : null;
      batch['enterprise.enterprises'].push([
        skeleton.code,
        name,
        foreignName,
        shortName,
        type.code,
        skeleton.status,
        isoDate(skeleton.foundedOn),
        money(random.logNormal(capitalMedian, 1.1), 1_000_000),
        street,
        commune.code,
        random.chance(0.8) ? mobileNumber(random) : null,
        email,
        this.updatedAt(random, Math.max(skeleton.foundedOn, DAY_2015)),
      ]);
      this.enterprisePeople(random, batch, skeleton, type, pool);
      const lines = [main];
      const extra = random.range(0, 2);
      for (let k = 0; k < extra * 3 && lines.length < 1 + extra; k++) {
        const line = INDUSTRY_WEIGHTS.draw(random);
        if (!lines.includes(line)) lines.push(line);
      }
      lines.forEach((line, k) =>
        batch['enterprise.enterprise_business_lines'].push([skeleton.code, line.code, k === 0]),
      );
      const branches = random.float() < 0.7 ? 0 : random.chance(0.67) ? 1 : 2;
      for (let k = 1; k <= branches; k++) {
        const province = this.geography.provinceWeights.draw(random);
        const where = this.communeIn(random, province);
        const kind = BRANCH_KIND_WEIGHTS.draw(random);
        const provinceName = lowerFirst(province.fullName);
        const branchName =
          kind === 'BRANCH'
            ? `Chi nhánh ${name} tại ${provinceName}`
            : kind === 'REPRESENTATIVE_OFFICE'
              ? `Văn phòng đại diện ${name} tại ${provinceName}`
              : `Địa điểm kinh doanh số ${k} - ${name}`;
        const opened =
          skeleton.foundedOn + random.int(Math.max(1, DATA_AS_OF - skeleton.foundedOn));
        batch['enterprise.branches'].push([
          `${skeleton.code}-${pad(k, 3)}`,
          skeleton.code,
          branchName,
          kind,
          this.street(random, where, regionOfProvince(province)),
          where.code,
          skeleton.status === 'ACTIVE' && random.chance(0.1) ? 'SUSPENDED' : skeleton.status,
          this.updatedAt(random, Math.max(opened, DAY_2015)),
        ]);
      }
      result.push({ skeleton, legacy, commune, street });
    }
    return result;
  }

  private enterprisePeople(
    random: Random,
    batch: Batch,
    skeleton: EnterpriseSkeleton,
    type: EnterpriseType,
    pool: Person[],
  ): void {
    const rows = batch['enterprise.enterprise_people'];
    const representative = pool[random.int(pool.length)];
    const since = (p: Person): number =>
      Math.min(DATA_AS_OF, Math.max(skeleton.foundedOn, addYears(p.dob, 18)));
    const titles: Record<string, string[]> = {
      DNTN: ['Chủ doanh nghiệp'],
      TNHH1: ['Giám đốc', 'Giám đốc', 'Chủ tịch công ty'],
      TNHH2: ['Giám đốc', 'Giám đốc', 'Chủ tịch Hội đồng thành viên'],
      CP: ['Tổng giám đốc', 'Giám đốc', 'Chủ tịch Hội đồng quản trị'],
      HD: ['Giám đốc'],
    };
    rows.push([
      skeleton.code,
      representative.id,
      'LEGAL_REPRESENTATIVE',
      random.pick(titles[type.code]),
      null,
      isoDate(since(representative)),
      this.updatedAt(random, Math.max(since(representative), DAY_2015)),
    ]);
    const ownerCount =
      type.code === 'DNTN' || type.code === 'TNHH1'
        ? 1
        : type.code === 'CP'
          ? 3
          : random.range(2, 3);
    const role =
      type.code === 'DNTN' || type.code === 'TNHH1'
        ? 'OWNER'
        : type.code === 'CP'
          ? 'SHAREHOLDER'
          : 'MEMBER';
    const owners: Person[] = [];
    if (type.code === 'DNTN' || random.chance(0.75)) owners.push(representative);
    // Family businesses: members are often the representative's spouse or grown children.
    const family = representative.household.members.filter(
      (m) => m !== representative && m.diedOn === null && m.age >= 20,
    );
    for (let tries = 0; owners.length < ownerCount && tries < 20; tries++) {
      const candidate =
        family.length > 0 && random.chance(0.5)
          ? random.pick(family)
          : pool[random.int(pool.length)];
      if (!owners.includes(candidate)) owners.push(candidate);
    }
    const total = role === 'SHAREHOLDER' ? 30 + random.int(71) : 100;
    const weights = owners.map(() => 0.5 + random.float());
    const sum = weights.reduce((a, b) => a + b, 0);
    let left = total * 100;
    owners.forEach((owner, k) => {
      const cents = k === owners.length - 1 ? left : Math.round((total * 100 * weights[k]) / sum);
      left -= cents;
      rows.push([
        skeleton.code,
        owner.id,
        role,
        null,
        (cents / 100).toFixed(2),
        isoDate(since(owner)),
        this.updatedAt(random, Math.max(since(owner), DAY_2015)),
      ]);
    });
  }

  // Land ----------------------------------------------------------------------------------------

  private land(
    random: Random,
    batch: Batch,
    households: Household[],
    enterprises: ChunkEnterprise[],
  ): void {
    let parcels = 0;
    for (const household of households) {
      const head = household.members[0];
      const holders = [head];
      const spouse = head.spouse;
      if (spouse && spouse.diedOn === null && random.chance(0.6)) holders.push(spouse);
      const urban = household.commune.kind === 'WARD';
      if (random.chance(urban ? 0.6 : 0.75)) {
        const area = urban ? random.logNormal(70, 0.5) : random.logNormal(280, 0.5);
        this.parcel(
          random,
          batch,
          household.commune,
          household.legacy,
          urban ? 'ODT' : 'ONT',
          area,
          household.street,
          holders,
          head.dob,
        );
        parcels++;
      }
      if (!urban) {
        const r = random.float();
        const count = r < 0.6 ? 0 : r < 0.9 ? 1 : 2;
        for (let k = 0; k < count; k++) {
          const use = AGRICULTURAL_USES.draw(random);
          const area = use === 'LUC' ? random.logNormal(900, 0.6) : random.logNormal(2000, 0.8);
          const field =
            household.region === 'SOUTH'
              ? household.street
              : `Xứ đồng ${random.pick(BRAND_FIRST)} ${random.pick(BRAND_SECOND)}, ${lowerFirst(household.street)}`;
          this.parcel(
            random,
            batch,
            household.commune,
            household.legacy,
            use,
            area,
            field,
            holders,
            head.dob,
          );
          parcels++;
        }
      }
    }
    // About 5% of parcels are held by enterprises, at their head office.
    if (enterprises.length > 0) {
      const count = Math.round(parcels * 0.053);
      for (let k = 0; k < count; k++) {
        const enterprise = enterprises[random.int(enterprises.length)];
        const use = random.chance(0.6) ? 'SKC' : 'TMD';
        this.parcel(
          random,
          batch,
          enterprise.commune,
          enterprise.legacy,
          use,
          random.logNormal(3000, 1),
          enterprise.street,
          [enterprise.skeleton],
          enterprise.skeleton.foundedOn,
        );
      }
    }
  }

  private parcel(
    random: Random,
    batch: Batch,
    commune: Commune,
    legacy: LegacyCommune | null,
    use: string,
    area: number,
    street: string,
    holders: (Person | EnterpriseSkeleton)[],
    holderBorn: number,
  ): void {
    const sheets = 20 + (hash32(this.seed, Number(commune.code)) % 100);
    const sheet = random.range(1, sheets);
    const key = `${commune.code}-${sheet}`;
    const number = (this.parcelNumbers.get(key) ?? 0) + random.range(1, 4);
    this.parcelNumbers.set(key, number);
    const id = `${key}-${number}`;
    const enterprise = !('sex' in holders[0]);
    const earliest = enterprise ? holderBorn : Math.max(addYears(holderBorn, 20), DAY_1993);
    const since =
      earliest >= DATA_AS_OF
        ? DATA_AS_OF - 1
        : earliest + Math.floor((DATA_AS_OF - earliest) * random.float() ** 1.3);
    const issued = Math.min(
      DATA_AS_OF,
      since + random.int(Math.max(1, Math.min(1500, DATA_AS_OF - since))),
    );
    const residential = use === 'ODT' || use === 'ONT';
    const useUntil = residential
      ? null
      : enterprise
        ? isoDate(addYears(issued, 50))
        : LAND_LAW_2013_EXPIRY;
    batch['land.parcels'].push([
      id,
      commune.code,
      sheet,
      number,
      (Math.max(15, Math.round(area * 10)) / 10).toFixed(1),
      use,
      residential ? 'LONG_TERM' : 'LIMITED',
      useUntil,
      street,
      this.updatedAt(random, Math.max(issued, DAY_2016)),
    ]);
    if (random.chance(0.08) && since > DAY_1995 + 400) {
      // An older certificate, replaced when the right was transferred or re-registered.
      const older = DAY_1995 + random.int(since - DAY_1995);
      batch['land.certificates'].push([
        this.certificateSerial(random, older),
        id,
        this.bookEntry(random, older),
        isoDate(older),
        this.landAuthority(legacy, commune, older),
        this.updatedAt(random, older, since),
      ]);
    }
    const serial = this.certificateSerial(random, issued);
    batch['land.certificates'].push([
      serial,
      id,
      this.bookEntry(random, issued),
      isoDate(issued),
      this.landAuthority(legacy, commune, issued),
      this.updatedAt(random, issued),
    ]);
    const share = (100 / holders.length).toFixed(2);
    for (const holder of holders) {
      const isPerson = 'sex' in holder;
      batch['land.holders'].push([
        id,
        isPerson ? 'CITIZEN' : 'ENTERPRISE',
        isPerson ? holder.id : holder.code,
        share,
        serial,
        isoDate(since),
        this.updatedAt(random, issued),
      ]);
    }
    if (random.chance(0.1)) {
      const registered = issued + random.int(Math.max(1, DATA_AS_OF - issued));
      const released = random.chance(0.4) ? registered + random.range(200, 3000) : null;
      const value =
        area *
        (residential ? 30_000_000 : enterprise ? 4_000_000 : 300_000) *
        (0.3 + random.float() * 0.5);
      batch['land.mortgages'].push([
        `TC${yearOf(registered)}${this.scramble8.serial(this.mortgageCount++, 2)}`,
        id,
        BANK_WEIGHTS.draw(random),
        money(value, 1_000_000),
        isoDate(registered),
        released !== null && released < DATA_AS_OF ? isoDate(released) : null,
        this.updatedAt(random, released !== null && released < DATA_AS_OF ? released : registered),
      ]);
    }
  }

  /** Two-letter series that advance with time, then a 6-digit number unique within the series. */
  private certificateSerial(random: Random, issued: number): string {
    const series = Math.max(0, yearOf(issued) - 1994) * 3 + random.int(3);
    const count = this.certificateSerials.get(series) ?? 0;
    this.certificateSerials.set(series, count + 1);
    const letters =
      CERTIFICATE_LETTERS[
        Math.floor(series / CERTIFICATE_LETTERS.length) % CERTIFICATE_LETTERS.length
      ] + CERTIFICATE_LETTERS[series % CERTIFICATE_LETTERS.length];
    return `${letters} ${this.scramble6.serial(count, 1000 + series)}`;
  }

  private bookEntry(random: Random, issued: number): string {
    return `${issued >= DAY_2014 ? 'CS' : 'CH'}${pad(random.range(1, 99_999), 5)}`;
  }

  private landAuthority(legacy: LegacyCommune | null, commune: Commune, issued: number): string {
    const g = this.geography;
    if (issued >= REORGANISATION_DAY || !legacy) {
      return `Sở Nông nghiệp và Môi trường ${lowerFirst((g.provinceByCode.get(commune.provinceCode) as Province).fullName)}`;
    }
    const province = lowerFirst(
      (g.legacyProvinceByCode.get(legacy.provinceCode) as LegacyProvince).fullName,
    );
    if (issued >= DAY_2025_03) return `Sở Nông nghiệp và Môi trường ${province}`;
    if (issued >= DAY_2014) return `Sở Tài nguyên và Môi trường ${province}`;
    return `Ủy ban nhân dân ${lowerFirst(this.districtNames.get(legacy.districtCode) as string)}`;
  }

  // Insurance -----------------------------------------------------------------------------------

  private insurance(random: Random, batch: Batch, people: Person[]): void {
    for (const p of people) {
      // The dead keep the record they had: the agency closes it at the death, it does not vanish.
      const age = p.diedOn === null ? p.age : ageOn(p.dob, p.diedOn);
      if (age < 18) continue;
      // About 40% of adults: most of the workforce in formal jobs, fewer young and old people.
      const chance =
        p.civilServiceFrom !== null
          ? 0.97
          : age <= 22
            ? 0.17
            : age <= 29
              ? 0.53
              : age <= 44
                ? 0.48
                : age <= 54
                  ? 0.44
                  : age <= 60
                    ? 0.35
                    : 0.16;
      if (!random.chance(chance)) continue;
      this.insuranceRecord(random, batch, p);
    }
  }

  private insuranceRecord(random: Random, batch: Batch, p: Person): void {
    const household = p.household;
    const legacyProvince = household.legacy.provinceCode;
    const count = this.insuranceSerials.get(legacyProvince) ?? 0;
    this.insuranceSerials.set(legacyProvince, count + 1);
    const sin = legacyProvince + this.scramble8.serial(count, 100 + Number(legacyProvince));
    const retirementAge = p.sex === 'MALE' ? 61 : 57;
    // The record tells the insured's working life up to today, or up to the day they died.
    const asOf = p.diedOn ?? DATA_AS_OF;
    const age = ageOn(p.dob, asOf);
    const civilServant = p.civilServiceFrom !== null;
    let registered = Math.min(
      asOf - 60,
      // Viet Nam Social Security started in 1995; older workers were registered over its first years.
      Math.max(DAY_1995 + random.int(1826), addYears(p.dob, 18 + random.int(8)) + random.int(365)),
    );
    if (p.civilServiceFrom !== null)
      registered = Math.max(DAY_1995, Math.min(registered, p.civilServiceFrom));
    let status: string;
    if (civilServant) status = age >= retirementAge ? 'RETIRED' : 'CONTRIBUTING';
    else if (age >= retirementAge) status = random.chance(0.9) ? 'RETIRED' : 'CLOSED';
    else {
      const r = random.float();
      status = r < 0.7 ? 'CONTRIBUTING' : r < 0.92 ? 'PAUSED' : 'CLOSED';
    }
    // The last month with an enterprise: open for contributors, earlier for everyone else.
    let end: number;
    let open = false;
    if (p.civilServiceFrom !== null) {
      // Public-sector employers are not enterprises: only earlier jobs in enterprises are listed.
      end = addMonths(p.civilServiceFrom, -1);
    } else if (status === 'CONTRIBUTING') {
      end = monthStart(asOf);
      open = p.diedOn === null;
    } else if (status === 'RETIRED')
      end = monthStart(Math.min(asOf, addYears(p.dob, retirementAge)));
    else end = addMonths(asOf, -random.range(2, 60));
    const first = monthStart(registered);
    const span = monthsBetween(first, end);
    const rows = batch['insurance.contributions'];
    const periods: [from: number, to: number | null, employer: EnterpriseSkeleton][] = [];
    if (span >= 1 && this.enterpriseCount > 0) {
      const wanted = Math.min(
        Math.max(1, Math.floor(span / 3)),
        [1, 1, 1, 2, 2, 2, 3, 3, 4, 4][random.int(10)],
      );
      const weights = Array.from({ length: wanted * 2 - 1 }, (_, k) =>
        k % 2 === 0 ? 1 + random.float() * 3 : random.float() * 0.4,
      );
      const total = weights.reduce((a, b) => a + b, 0);
      let cursor = first;
      for (let k = 0; k < weights.length; k++) {
        const months = Math.max(1, Math.round((span * weights[k]) / total));
        if (k % 2 === 0) {
          const isLast = k === weights.length - 1;
          const from = cursor;
          const to = isLast ? end : Math.min(end, addMonths(cursor, months - 1));
          const employer = this.employer(random, from, isLast && open);
          const start = Math.max(from, monthStart(employer.foundedOn));
          if (start <= to) periods.push([start, isLast && open ? null : to, employer]);
        }
        cursor = addMonths(cursor, months);
        if (cursor > end) break;
      }
    }
    if (open && periods.length > 0 && periods[periods.length - 1][1] !== null) status = 'PAUSED';
    if (!civilServant && periods.length === 0 && status === 'CONTRIBUTING') status = 'PAUSED';
    // A death closes a record still open (a pension, contributions paid or reserved), which is
    // what the funeral allowance is paid on (Law 41/2024/QH15, Article 85); a record settled
    // before the death (CLOSED) stays as it was.
    const deceased = p.diedOn !== null && status !== 'CLOSED';
    batch['insurance.insurance_records'].push([
      sin,
      p.id,
      isoDate(registered),
      deceased ? 'DECEASED' : status,
      this.updatedAt(random, Math.max(registered, deceased ? asOf : DAY_2021)),
    ]);
    for (const [from, to, employer] of periods) {
      const growth = 1.07 ** (yearOf(from) - 2025);
      const salary = Math.max(4_960_000 * growth, random.logNormal(9_000_000, 0.45) * growth);
      rows.push([
        ++this.contributionCount,
        sin,
        employer.code,
        isoDate(from),
        to === null ? null : isoDate(to),
        money(salary, 1000),
        'COMPULSORY',
        to === null
          ? this.updatedAt(random, addMonths(DATA_AS_OF, -1))
          : this.updatedAt(random, Math.min(DATA_AS_OF, addMonths(to, 1))),
      ]);
    }
    if (!random.chance(0.9)) return;
    const currentProvince = household.commune.provinceCode;
    let group: string;
    let level: number;
    if (civilServant && status !== 'RETIRED') [group, level] = ['HC', 4];
    else if (status === 'RETIRED') [group, level] = ['HT', 2];
    else if (status === 'CONTRIBUTING') [group, level] = ['DN', 4];
    else {
      const r = random.float();
      [group, level] = r < 0.7 ? ['GD', 4] : r < 0.8 ? ['HN', 2] : r < 0.92 ? ['CN', 3] : ['CC', 1];
    }
    // Cards of employees and civil servants run for the calendar year.
    const annual = group === 'DN' || group === 'HC';
    const validFrom = annual ? day(yearOf(asOf), 1, 1) : asOf - random.range(10, 330);
    // A card is valid to the end of its term, or to the day its holder died.
    const validTo = Math.min(
      annual
        ? day(yearOf(asOf), 12, 31)
        : addYears(validFrom, group === 'GD' || group === 'CN' ? 1 : 5) - 1,
      p.diedOn ?? Infinity,
    );
    const cardProvince = validFrom >= REORGANISATION_DAY ? currentProvince : legacyProvince;
    const facility = this.facility(random, household.commune);
    const cards = batch['insurance.health_cards'];
    const last = periods[periods.length - 1];
    if (group !== 'DN' && last && last[1] !== null && random.chance(0.5)) {
      // The card from the last job, expired when the employer stopped paying.
      const oldFrom = Math.max(last[0], addMonths(last[1], -11));
      const oldTo = Math.min(addMonths(last[1], 1) - 1, p.diedOn ?? Infinity);
      const oldProvince = oldFrom >= REORGANISATION_DAY ? currentProvince : legacyProvince;
      cards.push([
        `DN4${oldProvince}${sin}`,
        sin,
        'DN',
        4,
        oldProvince,
        facility,
        isoDate(oldFrom),
        isoDate(oldTo),
        this.updatedAt(random, oldFrom, Math.min(DATA_AS_OF, oldTo)),
      ]);
    }
    cards.push([
      `${group}${level}${cardProvince}${sin}`,
      sin,
      group,
      level,
      cardProvince,
      facility,
      isoDate(validFrom),
      isoDate(validTo),
      this.updatedAt(random, p.diedOn ?? Math.min(validFrom, DATA_AS_OF - 1), DATA_AS_OF),
    ]);
  }

  /** An employer for a period starting in `from`: most people work for the few large firms. */
  private employer(random: Random, from: number, open: boolean): EnterpriseSkeleton {
    let best: EnterpriseSkeleton | undefined;
    for (let tries = 0; tries < 12; tries++) {
      const candidate = this.enterpriseSkeleton(
        Math.floor(this.enterpriseCount * random.float() ** 2.2),
      );
      if (candidate.foundedOn <= from && (!open || candidate.status === 'ACTIVE')) return candidate;
      if (!best || candidate.foundedOn < best.foundedOn) best = candidate;
    }
    return best as EnterpriseSkeleton;
  }

  private facility(random: Random, commune: Commune): string {
    const r = random.float();
    if (r < 0.35) return `Trạm Y tế ${lowerFirst(commune.fullName)}`;
    if (r < 0.7) return `Trung tâm Y tế khu vực ${commune.baseName}`;
    const province = this.geography.provinceByCode.get(commune.provinceCode) as Province;
    return `Bệnh viện Đa khoa ${province.kind === 'CITY' ? lowerFirst(province.fullName) : `tỉnh ${province.name}`}`;
  }
}

/** Enterprises belonging to the first `citizens` citizens: one per 100 started, rounded up. */
function enterprisesBefore(citizens: number): number {
  return Math.ceil(citizens / CITIZENS_PER_ENTERPRISE);
}

function marry(a: Person, b: Person): void {
  a.spouse = b;
  b.spouse = a;
  a.marital = 'MARRIED';
  b.marital = 'MARRIED';
}

function randomSex(random: Random): Sex {
  // 112 boys per 100 girls at birth in recent years; about even over the whole population.
  return random.chance(0.505) ? 'MALE' : 'FEMALE';
}

function regionOfProvince(province: Province): Region {
  const n = Number(province.code);
  return n <= 42 ? 'NORTH' : n <= 68 ? 'CENTRAL' : 'SOUTH';
}

function mobileNumber(random: Random): string {
  const prefixes = [
    '090',
    '091',
    '093',
    '094',
    '096',
    '097',
    '098',
    '032',
    '033',
    '034',
    '035',
    '036',
    '037',
    '038',
    '039',
    '070',
    '077',
    '078',
    '079',
    '081',
    '083',
    '084',
    '085',
    '086',
    '088',
    '089',
  ];
  return random.pick(prefixes) + pad(random.int(10_000_000), 7);
}

function pickRank(random: Random, family: Rank['family'], years: number): Rank {
  if (random.chance(0.07)) return RANKS.find((r) => r.code === '01.005') as Rank;
  const r = random.float();
  let seniority: Rank['seniority'];
  if (years < 3) seniority = r < 0.25 ? 0 : 1;
  else if (years < 15) seniority = r < 0.85 ? 1 : 2;
  else if (years < 25) seniority = r < 0.6 ? 1 : r < 0.98 ? 2 : 3;
  else seniority = r < 0.3 ? 1 : r < 0.9 ? 2 : 3;
  return (
    RANKS.find(
      (rank) => rank.family === family && rank.seniority === seniority && rank.category !== 'B',
    ) ?? (RANKS.find((rank) => rank.family === 'GENERAL' && rank.seniority === seniority) as Rank)
  );
}

const COMMUNE_OFFICES: [office: string, head: string, deputy: string][] = [
  ['Văn phòng Hội đồng nhân dân và Ủy ban nhân dân', 'Chánh Văn phòng', 'Phó Chánh Văn phòng'],
  ['Phòng Kinh tế', 'Trưởng phòng Kinh tế', 'Phó Trưởng phòng Kinh tế'],
  ['Phòng Văn hóa - Xã hội', 'Trưởng phòng Văn hóa - Xã hội', 'Phó Trưởng phòng Văn hóa - Xã hội'],
];

/** Position (chức vụ): mostly staff, heads of unit for the senior, heads of agency for a few. */
function position(random: Random, agency: Agency, rank: Rank, years: number): string {
  if (rank.category === 'B') return 'Nhân viên';
  const r = random.float();
  const top = years >= 20 && r < 0.04;
  const head = !top && years >= 12 && r < 0.12;
  const deputy = !top && !head && years >= 8 && r < 0.25;
  if (agency.level === 'COMMUNE') {
    if (top) return r < 0.01 ? 'Chủ tịch Ủy ban nhân dân' : 'Phó Chủ tịch Ủy ban nhân dân';
    const [office, headTitle, deputyTitle] = random.pick(COMMUNE_OFFICES);
    return head ? headTitle : deputy ? deputyTitle : `Chuyên viên ${office}`;
  }
  if (top) {
    if (agency.level === 'CENTRAL') return r < 0.02 ? 'Vụ trưởng' : 'Phó Vụ trưởng';
    if (!agency.parentCode) return r < 0.02 ? 'Chánh Văn phòng' : 'Phó Chánh Văn phòng';
    return r < 0.01 ? 'Giám đốc' : 'Phó Giám đốc';
  }
  return head ? 'Trưởng phòng' : deputy ? 'Phó Trưởng phòng' : 'Chuyên viên';
}

/**
 * Agencies: ministries first, then provincial People's Committees, their departments and
 * commune People's Committees, as many as the data set's size asks for (N/2000 + 20).
 */
function buildAgencies(g: Geography, seed: number, count: number): Agency[] {
  const random = new Random(Stream.agencies, seed);
  const agencies: Agency[] = [];
  const centralCount = Math.min(CENTRAL_AGENCIES.length, Math.max(3, Math.round(count * 0.12)));
  CENTRAL_AGENCIES.slice(0, centralCount).forEach(([name, family], i) => {
    agencies.push({
      code: `G${pad(i + 1, 2)}`,
      name,
      level: 'CENTRAL',
      provinceCode: null,
      communeCode: null,
      parentCode: null,
      family,
    });
  });
  const byPopulation = [...g.provinces].sort(
    (a, b) => b.population - a.population || a.code.localeCompare(b.code),
  );
  for (const p of byPopulation) {
    if (agencies.length >= count) return agencies;
    agencies.push({
      code: `H${p.code}`,
      name: `Ủy ban nhân dân ${lowerFirst(p.fullName)}`,
      level: 'PROVINCE',
      provinceCode: p.code,
      communeCode: null,
      parentCode: null,
      family: 'GENERAL',
    });
  }
  for (let d = 0; d < PROVINCIAL_DEPARTMENTS.length; d++) {
    const [department, family] = PROVINCIAL_DEPARTMENTS[d];
    for (const p of byPopulation) {
      if (agencies.length >= count) return agencies;
      agencies.push({
        code: `H${p.code}.${pad(d + 1, 2)}`,
        name: `${department} ${lowerFirst(p.fullName)}`,
        level: 'PROVINCE',
        provinceCode: p.code,
        communeCode: null,
        parentCode: `H${p.code}`,
        family,
      });
    }
  }
  const communes = random.shuffle([...g.communes]);
  for (const c of communes) {
    if (agencies.length >= count) break;
    agencies.push({
      code: `H${c.provinceCode}.${c.code}`,
      name: `Ủy ban nhân dân ${lowerFirst(c.fullName)}`,
      level: 'COMMUNE',
      provinceCode: c.provinceCode,
      communeCode: c.code,
      parentCode: `H${c.provinceCode}`,
      family: 'GENERAL',
    });
  }
  return agencies;
}
