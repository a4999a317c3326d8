// Reference data pages share, loaded once per page load: units, categories and the city's
// channels, return reasons and regions. Names for codes come from here.
import { defineStore } from 'pinia'
import { ref } from 'vue'
import { api } from '@/api/client'
import { ApiError } from '@/api/problem'

export interface Named {
  code: string
  name: string
}

export interface UnitRef extends Named {
  kind: string
  parent: string | null
  region: string | null
}

export interface CategoryRef extends Named {
  level: string
  parent: string | null
}

interface CityReference {
  channels: Named[]
  return_reasons: Named[]
  regions: Named[]
}

export const useReferenceStore = defineStore('reference', () => {
  const units = ref<UnitRef[]>([])
  const categories = ref<CategoryRef[]>([])
  const channels = ref<Named[]>([])
  const returnReasons = ref<Named[]>([])
  const regions = ref<Named[]>([])
  const names = ref(new Map<string, string>())
  let loading: Promise<void> | null = null

  async function loadCity(): Promise<void> {
    try {
      const city = await api.get<CityReference>('/reference')
      channels.value = city.channels
      returnReasons.value = city.return_reasons
      regions.value = city.regions
    } catch (error) {
      // An older server without /reference: codes are shown as they are.
      if (!(error instanceof ApiError) || error.status !== 404) throw error
    }
  }

  async function loadAll(): Promise<void> {
    const [unitList, categoryList] = await Promise.all([
      api.get<{ items: UnitRef[] }>('/units'),
      api.get<{ items: CategoryRef[] }>('/categories'),
      loadCity(),
    ])
    units.value = unitList.items
    categories.value = categoryList.items
    const map = new Map<string, string>()
    for (const [kind, list] of [
      ['unit', units.value], ['category', categories.value], ['channel', channels.value],
      ['return_reason', returnReasons.value], ['region', regions.value],
    ] as const) {
      for (const item of list) map.set(`${kind}:${item.code}`, item.name)
    }
    names.value = map
  }

  /** Load once; later calls share the first. A failure lets the next call try again. */
  function ensure(): Promise<void> {
    loading ??= loadAll().catch((error: unknown) => {
      loading = null
      throw error
    })
    return loading
  }

  function nameOf(kind: 'unit' | 'category' | 'channel' | 'return_reason' | 'region', code: string | null | undefined): string {
    if (!code) return ''
    return names.value.get(`${kind}:${code}`) ?? code
  }

  return { units, categories, channels, returnReasons, regions, ensure, nameOf }
})
