// Reference data pages share, loaded once per page load: units, categories and the city's
// vocabularies (channels, return reasons, regions). Names for codes come from here.
import { defineStore } from 'pinia'
import { ref } from 'vue'
import { api } from '@/api/client'
import type { Schemas } from '@/api/types'

export type UnitRef = Schemas['UnitOut']
export type CategoryRef = Schemas['CategoryOut']
export type Vocabularies = Schemas['VocabulariesOut']

export interface Named {
  code: string
  name: string
}

export type NameKind = 'unit' | 'category' | 'channel' | 'return_reason' | 'region'

export const useReferenceStore = defineStore('reference', () => {
  const units = ref<UnitRef[]>([])
  const categories = ref<CategoryRef[]>([])
  const channels = ref<Named[]>([])
  const returnReasons = ref<Named[]>([])
  const regions = ref<Named[]>([])
  const names = ref(new Map<string, string>())
  let loading: Promise<void> | null = null

  async function loadAll(): Promise<void> {
    const [unitList, categoryList, city] = await Promise.all([
      api.get<Schemas['UnitListOut']>('/units'),
      api.get<Schemas['CategoryListOut']>('/categories'),
      api.get<Vocabularies>('/reference'),
    ])
    units.value = unitList.items
    categories.value = categoryList.items
    channels.value = city.channels
    returnReasons.value = city.return_reasons
    regions.value = city.regions
    const map = new Map<string, string>()
    const lists: [NameKind, Named[]][] = [
      ['unit', units.value], ['category', categories.value], ['channel', channels.value],
      ['return_reason', returnReasons.value], ['region', regions.value],
    ]
    for (const [kind, list] of lists) {
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

  /** The name of a code; the code itself only when the reference data does not know it. */
  function nameOf(kind: NameKind, code: string | null | undefined): string {
    if (!code) return ''
    return names.value.get(`${kind}:${code}`) ?? code
  }

  return { units, categories, channels, returnReasons, regions, ensure, nameOf }
})
